"""Screens of the stock ledger: the operation forms, stock on hand and the ledger."""
