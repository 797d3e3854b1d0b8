"""Data and invariants of the Employment case management portal (built in its own issue)."""
