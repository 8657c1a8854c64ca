"""Backroom's domain: the schema and every operation that reads or changes stock."""
