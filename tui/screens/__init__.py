"""Backroom's screens, one module each."""
