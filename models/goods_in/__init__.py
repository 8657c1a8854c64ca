"""Goods in: suppliers, purchase orders, advance shipping notices (CSV and GS1 XML
despatch advice), receiving against them, and the receipt discrepancy report."""
