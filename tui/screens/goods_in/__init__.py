"""Goods in on screen: receiving against a purchase order or an announced pallet."""
