"""Serving the TUI to people who are not at this machine: over SSH and in a browser."""
