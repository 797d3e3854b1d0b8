"""The bank's pool: interpreters' profiles, their weekly availability and their absences."""

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from interpreters.models import Availability, InterpreterProfile, Unavailability
from portal.models import Organization, User
from portal.workflow import ActionError


@transaction.atomic
def add_availability(
    *, interpreter: InterpreterProfile, weekday: int, start_time: time, end_time: time
) -> Availability:
    if end_time <= start_time:
        raise ActionError({"end_time": _("The end cannot be before the start.")})
    return Availability.objects.create(
        interpreter=interpreter, weekday=weekday, start_time=start_time, end_time=end_time
    )


@transaction.atomic
def add_unavailability(
    *, interpreter: InterpreterProfile, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Unavailability:
    if ends_at <= starts_at:
        raise ActionError({"ends_at": _("The end cannot be before the start.")})
    return Unavailability.objects.create(
        interpreter=interpreter, starts_at=starts_at, ends_at=ends_at, reason=reason
    )


@transaction.atomic
def remove_availability(*, interpreter: InterpreterProfile, pk: int, weekly: bool) -> None:
    model = Availability if weekly else Unavailability
    model.objects.filter(interpreter=interpreter, pk=pk).delete()


@transaction.atomic
def create_interpreter_profile(*, user: User, bank: Organization) -> InterpreterProfile:
    """The profile of a bank member with the interpreter role (completed by a coordinator next)."""
    profile, _created = InterpreterProfile.objects.get_or_create(
        user=user, defaults={"bank": bank, "modalities": [], "home_postal_code": "", "is_active": False}
    )
    return profile


@transaction.atomic
def save_interpreter(*, profile: InterpreterProfile, languages: Iterable[Any], **fields: Any) -> InterpreterProfile:
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    profile.languages.set(languages)
    return profile
