"""Screens about people: logging in and the audit."""
