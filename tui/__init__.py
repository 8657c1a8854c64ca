"""Backroom's terminal interface and its command line."""
