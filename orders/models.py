"""Data and invariants of the Service orders portal (built in its own issue)."""
