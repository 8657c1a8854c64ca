"""Screens of master data: items, locations, lots and their forms."""
