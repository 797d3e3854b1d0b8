"""Record numbers: one database counter per kind of record, the one numbering mechanism.

    number = next_number("referrals.case", floor=lambda: Case.objects.aggregate(top=Max("number"))["top"])

The first call for a kind starts after `floor()` (the highest number already given, e.g. by data
loaded before the counter existed); each later call is one `UPDATE … SET last = last + 1`, which locks
the counter's row until the caller's transaction ends: concurrent creations queue for a moment and
never share a number, and no retry loop is needed. Call it inside the creating transaction.

Public booking confirmations are not numbered this way: they are random (not guessable).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import F

from portal.models import NumberSequence


def next_number(name: str, *, floor: Callable[[], int | None] | None = None) -> int:
    """The next number of this kind (1, or floor() + 1, the first time)."""
    with transaction.atomic():
        if not NumberSequence.objects.filter(name=name).update(last=F("last") + 1):
            start = (floor() if floor is not None else None) or 0
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(name=name, last=start + 1)
            except IntegrityError:
                # Created by someone else at the same moment: take the next one after theirs.
                NumberSequence.objects.filter(name=name).update(last=F("last") + 1)
        return NumberSequence.objects.values_list("last", flat=True).get(name=name)
