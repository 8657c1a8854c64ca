"""Traceability: where a lot came from and went, recalls, and transformations."""
