"""Screens of goods out: shipments, picking and packing."""
