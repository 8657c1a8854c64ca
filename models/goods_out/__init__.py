"""Goods out: shipments, allocation, picking, packing, dispatch, documents and returns."""
