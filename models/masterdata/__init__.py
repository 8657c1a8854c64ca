"""Master data: adding and editing items, locations, lots and users."""
