"""Data and invariants of the Appointments portal (built in its own issue)."""
