"""`backroom demo`: warehouses to try Backroom on, small and large."""
