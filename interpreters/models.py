"""Data and invariants of the Interpreter bank portal (built in its own issue)."""
