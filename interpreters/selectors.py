"""Reads of the interpreter bank, scoped to who asks.

A requester sees the requests of their establishment; an interpreter only the requests offered or
assigned to them; coordinators (the bank) see every request.
"""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from interpreters.models import (
    HOLDING_STATUSES,
    QUEUE_STATUSES,
    InterpreterProfile,
    Language,
    Modality,
    Registration,
    RegistrationStatus,
    Request,
    RequestStatus,
    Statement,
    StatementLine,
    Unavailability,
)
from portal import geo
from portal.models import Organization
from portal.selectors import active_membership, active_organization

RS = RequestStatus


def bank():
    return Organization.objects.filter(kind="interpreter_bank", is_active=True).order_by("pk").first()


def _role(user):
    membership = active_membership(user)
    return membership.role if membership else None


def interpreter_profile(user):
    return InterpreterProfile.objects.filter(user=user).first()


def requests_for(user):
    role = _role(user)
    queryset = Request.objects.select_related(
        "language", "service_type", "establishment", "interpreter__user", "requester", "cost_centre"
    )
    if role == "interpreters.coordinator":
        return queryset
    if role == "interpreters.interpreter":
        return queryset.filter(interpreter__user=user)
    if role == "interpreters.requester":
        return queryset.filter(establishment=active_organization(user))
    return queryset.none()


def get_request_for_user(user, pk):
    return get_object_or_404(requests_for(user), pk=pk)


def queue():
    """Requests waiting for an interpreter, soonest first."""
    return (
        requests_for_coordinators()
        .filter(status__in=QUEUE_STATUSES, starts_at__gte=timezone.now())
        .order_by("starts_at")
    )


def requests_for_coordinators():
    return Request.objects.select_related("language", "service_type", "establishment", "interpreter__user")


# Distance between postal codes (offline coordinates) ------------------------------------------


def distance_km(first, second):
    a, b = geo.locate(first), geo.locate(second)
    if a is None or b is None:
        return None
    return round(geo.distance_km(a, b), 1)


def _available(interpreter, request):
    """Inside one of the interpreter's weekly windows (no window given: any time)."""
    windows = [window for window in interpreter.availabilities.all()]
    if not windows:
        return True
    start = timezone.localtime(request.starts_at)
    end = timezone.localtime(request.ends_at)
    return any(
        window.weekday == start.weekday()
        and window.start_time <= start.time()
        and end.time() <= window.end_time
        for window in windows
    )


def suggestions(request):
    """Interpreters who have the language and modality, are available and free at that time,
    nearest first (home postal code to the place), then the least busy in the coming month."""
    month = timezone.now() + timedelta(days=30)
    candidates = (
        InterpreterProfile.objects.filter(is_active=True, languages=request.language)
        .exclude(
            pk__in=Unavailability.objects.filter(
                starts_at__lt=request.ends_at, ends_at__gt=request.starts_at
            ).values("interpreter")
        )
        .select_related("user")
        .prefetch_related("availabilities")
        .annotate(
            workload=Count(
                "requests",
                filter=Q(
                    requests__status__in=HOLDING_STATUSES,
                    requests__starts_at__gte=timezone.now(),
                    requests__starts_at__lte=month,
                ),
            )
        )
        .distinct()
    )
    busy = set(
        Request.objects.filter(
            status__in=HOLDING_STATUSES, starts_at__lt=request.ends_at, ends_at__gt=request.starts_at
        )
        .exclude(pk=request.pk)
        .values_list("interpreter_id", flat=True)
    )
    rows = []
    for interpreter in candidates:
        if (
            request.modality not in interpreter.modalities
            or interpreter.pk in busy
            or not _available(interpreter, request)
        ):
            continue
        distance = (
            distance_km(interpreter.home_postal_code, request.postal_code)
            if request.modality == Modality.IN_PERSON
            else None
        )
        gender_match = not request.gender_preference or interpreter.gender == request.gender_preference
        rows.append(
            {
                "interpreter": interpreter,
                "distance": distance,
                "workload": interpreter.workload,
                "gender_match": gender_match,
            }
        )
    rows.sort(
        key=lambda row: (
            not row["gender_match"],
            row["distance"] is None,
            row["distance"] or 0,
            row["workload"],
        )
    )
    return rows


def other_interpreters(request):
    """Everyone else who has the language, for a coordinator who knows better than the ranking."""
    return (
        InterpreterProfile.objects.filter(is_active=True, languages=request.language)
        .select_related("user")
        .distinct()
    )


# Interpreter's work ----------------------------------------------------------------------------


def offers_for(user):
    return requests_for(user).filter(status=RS.ASSIGNED).order_by("starts_at")


def upcoming_for(user):
    return (
        requests_for(user)
        .filter(status__in=(RS.ACCEPTED, RS.CONFIRMED), ends_at__gte=timezone.now() - timedelta(days=7))
        .order_by("starts_at")
    )


def done_for(user):
    return requests_for(user).filter(status__in=(RS.COMPLETED, RS.VALIDATED)).order_by("-starts_at")


# Registrations and statements -----------------------------------------------------------------


def pending_registrations():
    return Registration.objects.filter(status=RegistrationStatus.PENDING).select_related("establishment")


def get_registration(pk):
    return get_object_or_404(Registration.objects.select_related("establishment"), pk=pk)


def statements():
    return Statement.objects.select_related("establishment", "cost_centre", "interpreter__user", "issued_by")


def get_statement(pk):
    return get_object_or_404(
        statements().prefetch_related(
            Prefetch(
                "lines",
                StatementLine.objects.select_related(
                    "request__language", "request__cost_centre", "request__establishment"
                ),
            )
        ),
        pk=pk,
    )


def languages():
    return Language.objects.filter(is_active=True)
