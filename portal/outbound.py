"""The functions a worker may call by a dotted path stored in the database.

Messages name their attachments, their "send only if" condition and their delivery hooks by
dotted path, and exports name their builder the same way. A row of the database is data, not code:
a worker imports such a path only when an app declared it here (each app's apps.py, in ready()).
An unknown path is refused before anything is imported.
"""

from django.utils.module_loading import import_string

_allowed: set[str] = set()
# Declared functions that moved after rows naming them were stored: old path -> new path.
_moved: dict[str, str] = {}


class NotAllowed(Exception):
    """A dotted path that no app declared: never imported."""

    def __init__(self, dotted):
        super().__init__(f"Refused: {dotted!r} is not on the list of functions a worker may call.")
        self.dotted = dotted


def allow(*dotted_paths):
    """Declare functions a worker may call by name (attachments, conditions, hooks, exporters)."""
    for dotted in dotted_paths:
        if not isinstance(dotted, str) or "." not in dotted:
            raise ValueError(f"A dotted path to a function, not {dotted!r}.")
        _allowed.add(dotted)


def moved(old, new):
    """A declared function now lives at `new`: rows stored with `old` still reach it (`new` must
    be allowed; new rows are written with it)."""
    _moved[old] = new


def is_allowed(dotted):
    return isinstance(dotted, str) and _moved.get(dotted, dotted) in _allowed


def check(dotted):
    """Raise NotAllowed unless the path was declared (before anything is imported)."""
    if not is_allowed(dotted):
        raise NotAllowed(dotted)
    return dotted


def load(dotted):
    """The declared function; an undeclared path raises NotAllowed and is never imported."""
    return import_string(_moved.get(check(dotted), dotted))
