"""Data in and out: CSV import and export, EPCIS, backup and restore."""
