"""Screens of traceability: a lot's trace, recalls and transformations."""
