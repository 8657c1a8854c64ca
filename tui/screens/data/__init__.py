"""Screens of data in and out: import and export."""
