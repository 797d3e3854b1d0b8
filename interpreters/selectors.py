"""Reads of the interpreter bank, scoped to who asks.

A requester sees the requests of their establishment; an interpreter only the requests of their
bank offered or assigned to them; a bank's coordinators see the bank's requests, interpreters,
registrations, rates and statements, and nothing of another bank's (filtered in the query, so
another bank's record is a 404). What a person may see comes from the capabilities of their
active role (portal.permissions.has_capability), never from role codes.

Tenancy (portal.scoping): every read here goes through `.for_organization(...)` (the bank, or
the requester's establishment) or says with `.scoped(reason)` why it needs no organization.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from interpreters import roles
from interpreters.models import (
    HOLDING_STATUSES,
    QUEUE_STATUSES,
    CostCentre,
    InterpreterProfile,
    Language,
    Modality,
    Rate,
    Registration,
    RegistrationStatus,
    Request,
    RequestStatus,
    ServedEstablishment,
    Statement,
    StatementLine,
    Unavailability,
)
from portal import geo
from portal.db import order_by_name
from portal.models import Export, Organization, OrganizationKind, User
from portal.permissions import has_capability
from portal.selectors import Person, active_organization, members_with_roles

RS = RequestStatus


def bank_of(establishment: Organization | None) -> Organization | None:
    """The active bank that serves this establishment, or None."""
    link = (
        ServedEstablishment.objects.for_organization(establishment)
        .filter(establishment=establishment, bank__is_active=True)
        .select_related("bank")
        .first()
    )
    return link.bank if link else None


def served_establishments() -> QuerySet[Organization]:
    """Establishments a requester may sign up for: active, and served by an active bank."""
    return Organization.objects.filter(
        kind=OrganizationKind.HEALTH_ESTABLISHMENT,
        is_active=True,
        interpreter_bank_link__bank__is_active=True,
    )


def coordinators(bank: Organization | None) -> list[User]:
    """The coordinators of a bank (whom its requests and registrations concern; no other bank's)."""
    return list(members_with_roles(bank, ["interpreters.coordinator"])) if bank else []


def user_bank(user: Person, capability: str) -> Organization | None:
    """The bank of the person's active role when that role has `capability` there, else None."""
    organization = active_organization(user)
    if organization is None or organization.kind != OrganizationKind.INTERPRETER_BANK:
        return None
    return organization if has_capability(user, capability, organization) else None


def interpreter_profile(user: Person) -> InterpreterProfile | None:
    """The person's profile in the bank of their active role."""
    organization = user_bank(user, roles.PERFORM)
    if organization is None:
        return None
    return InterpreterProfile.objects.for_organization(organization).filter(user=user).first()


def requests_for(user: Person) -> QuerySet[Request]:
    """The requests the person's active role sees: the bank's (coordinator), the bank's offered
    or assigned to them (interpreter), the establishment's (requester)."""
    queryset = Request.objects.select_related(
        "language", "service_type", "establishment", "interpreter__user", "requester", "cost_centre"
    )
    organization = active_organization(user)
    if organization is None:
        return queryset.none()
    # for_organization matches the bank or the establishment; the filter says which one.
    if has_capability(user, roles.ASSIGN, organization):
        return queryset.for_organization(organization).filter(bank=organization)
    if has_capability(user, roles.PERFORM, organization):
        return queryset.for_organization(organization).filter(bank=organization, interpreter__user=user)
    if has_capability(user, roles.REQUEST, organization):
        return queryset.for_organization(organization).filter(establishment=organization)
    return queryset.none()


def get_request_for_user(user: Person, pk: int) -> Request:
    return get_object_or_404(requests_for(user), pk=pk)


# The coordinators' queue tabs: the statuses each one lists (the first tab, "assign", is the queue).
QUEUE_TABS: dict[str, tuple[str, ...]] = {
    "assign": QUEUE_STATUSES,
    "confirm": (RS.ACCEPTED,),
    "validate": (RS.COMPLETED,),
    "offered": (RS.ASSIGNED,),
}
# Tabs of what is still to come (a service already started is no longer assigned or confirmed).
UPCOMING_TABS = ("assign", "offered", "confirm")


def queue(user: Person, tab: str = "assign") -> QuerySet[Request]:
    """The bank's requests of one queue tab (by default those waiting for an interpreter), soonest first."""
    queryset = requests_for_coordinators(user).filter(status__in=QUEUE_TABS[tab])
    if tab in UPCOMING_TABS:
        queryset = queryset.filter(starts_at__gte=timezone.now())
    return queryset.order_by("starts_at")


def language_ranks() -> dict[int, int]:
    """Each language's place when languages are sorted by name as letters in the active language
    (a dozen rows): the queue sorts by this number, which its index holds, instead of joining and
    folding the name of every request."""
    languages = order_by_name(Language.objects.all(), "name", then=("pk",))
    return {pk: rank for rank, pk in enumerate(languages.values_list("pk", flat=True))}


def requests_for_coordinators(user: Person) -> QuerySet[Request]:
    """The requests of the bank the person coordinates (none for anyone else)."""
    queryset = Request.objects.select_related(
        "language", "service_type", "establishment", "interpreter__user"
    )
    organization = user_bank(user, roles.ASSIGN)
    return (
        queryset.for_organization(organization).filter(bank=organization) if organization else queryset.none()
    )


def get_request_for_coordinator(user: Person, pk: int) -> Request:
    return get_object_or_404(requests_for_coordinators(user), pk=pk)


def bank_interpreters(user: Person) -> QuerySet[InterpreterProfile]:
    """The interpreters of the bank the person coordinates."""
    organization = user_bank(user, roles.ASSIGN)
    return InterpreterProfile.objects.for_organization(organization).select_related("user")


def get_interpreter(user: Person, pk: int) -> InterpreterProfile:
    return get_object_or_404(bank_interpreters(user), pk=pk)


# The requests that put an interpreter's time in their calendar: offered (not yet answered),
# accepted, confirmed, done. Declined and cancelled requests no longer hold it.
CALENDAR_STATUSES = (*HOLDING_STATUSES, RequestStatus.VALIDATED)


def interpreter_calendar(
    interpreter: InterpreterProfile, start: Any, end: Any
) -> tuple[list[Request], list[Unavailability]]:
    """The interpreter's requests and absences that overlap [start, end), each in start order: two
    queries whatever their number (the calendar shows the establishment, nothing of the patient)."""
    bank = interpreter.bank_id
    assignments = list(
        Request.objects.for_organization(bank)
        .filter(
            bank=bank,
            interpreter=interpreter,
            status__in=CALENDAR_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .select_related("establishment")
        .order_by("starts_at", "pk")
    )
    absences = list(
        Unavailability.objects.for_organization(bank)
        .filter(interpreter=interpreter, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "pk")
    )
    return assignments, absences


# Distance between postal codes (offline coordinates) ------------------------------------------


def distance_km(first: str, second: str) -> float | None:
    a, b = geo.locate(first), geo.locate(second)
    if a is None or b is None:
        return None
    return round(geo.distance_km(a, b), 1)


def _available(interpreter: InterpreterProfile, request: Request) -> bool:
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


def out_of_range(interpreter: InterpreterProfile, distance: float | None) -> bool:
    """Farther from the place than the interpreter travels (an unknown distance is not)."""
    radius = interpreter.travel_radius_km
    return radius is not None and distance is not None and distance > radius


def suggestions(request: Request) -> list[Any]:
    """Interpreters who have the language and modality, are available and free at that time and,
    in person, within their travel radius of the place; nearest first (home postal code to the
    place), then the least busy in the coming month."""
    month = timezone.now() + timedelta(days=30)
    candidates = (
        InterpreterProfile.objects.for_organization(request.bank_id)
        .filter(is_active=True, languages=request.language)
        .exclude(
            pk__in=Unavailability.objects.for_organization(request.bank_id)
            .filter(starts_at__lt=request.ends_at, ends_at__gt=request.starts_at)
            .values("interpreter")
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
    # An interpreter's time is held whatever the bank of the request holding it (only ids are read).
    busy = set(
        Request.objects.scoped("the time slots interpreters hold, across banks")
        .filter(status__in=HOLDING_STATUSES, starts_at__lt=request.ends_at, ends_at__gt=request.starts_at)
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
        if out_of_range(interpreter, distance):
            continue
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


def other_interpreters(request: Request) -> QuerySet[InterpreterProfile]:
    """Everyone else of the bank who has the language, for a coordinator who knows better than the
    ranking."""
    return (
        InterpreterProfile.objects.for_organization(request.bank_id)
        .filter(is_active=True, languages=request.language)
        .select_related("user")
        .distinct()
    )


# Interpreter's work ----------------------------------------------------------------------------


def offers_for(user: Person) -> QuerySet[Request]:
    return requests_for(user).filter(status=RS.ASSIGNED).order_by("starts_at")


def upcoming_for(user: Person) -> QuerySet[Request]:
    return (
        requests_for(user)
        .filter(status__in=(RS.ACCEPTED, RS.CONFIRMED), ends_at__gte=timezone.now() - timedelta(days=7))
        .order_by("starts_at")
    )


def done_for(user: Person) -> QuerySet[Request]:
    return requests_for(user).filter(status__in=(RS.COMPLETED, RS.VALIDATED)).order_by("-starts_at")


# Registrations and statements -----------------------------------------------------------------


def registrations_for(user: Person) -> QuerySet[Registration]:
    """The registrations the bank the person coordinates decides."""
    organization = user_bank(user, roles.ASSIGN)
    return Registration.objects.for_organization(organization).select_related("establishment")


def pending_registrations(user: Person) -> QuerySet[Registration]:
    return registrations_for(user).filter(status=RegistrationStatus.PENDING)


def get_registration(user: Person, pk: int) -> Registration:
    return get_object_or_404(registrations_for(user), pk=pk)


def rates(user: Person) -> QuerySet[Rate]:
    """The rates of the bank whose billing the person does."""
    organization = user_bank(user, roles.BILLING)
    return Rate.objects.for_organization(organization)


def get_rate(user: Person, pk: int) -> Rate:
    return get_object_or_404(rates(user), pk=pk)


def rate_for(request: Request) -> Rate | None:
    """The rate of the request's bank for its modality."""
    return Rate.objects.for_organization(request.bank_id).filter(modality=request.modality).first()


def statements(user: Person) -> QuerySet[Statement]:
    """The statements of the bank whose billing the person does."""
    organization = user_bank(user, roles.BILLING)
    return Statement.objects.for_organization(organization).select_related(
        "establishment", "cost_centre", "interpreter__user", "issued_by"
    )


def _lines() -> QuerySet[StatementLine]:
    return StatementLine.objects.scoped("the lines of a statement fetched through its selector").select_related(
        "request__language", "request__cost_centre", "request__establishment"
    )


def get_statement(user: Person, pk: int, *, with_lines: bool = True) -> Statement:
    """The statement, with all its lines (for its files) or without (its page reads them by page:
    statement_lines)."""
    queryset = statements(user)
    if with_lines:
        queryset = queryset.prefetch_related(Prefetch("lines", _lines()))
    return get_object_or_404(queryset, pk=pk)


STATEMENT_EXPORTERS = ("interpreters.exports.statement_pdf", "interpreters.exports.statement_xlsx")


def statement_files(user: Person, statement: Statement) -> QuerySet[Export]:
    """The person's latest files of this statement (PDF, Excel), newest first: its page lists them."""
    return (
        Export.objects.for_user(user)
        .filter(exporter__in=STATEMENT_EXPORTERS, params__statement=statement.pk)
        .order_by("-created_at", "-pk")[:10]
    )


def statement_lines(statement: Statement) -> QuerySet[StatementLine]:
    """The lines of a statement already fetched through get_statement, in the statement's order."""
    return _lines().filter(statement=statement).order_by("request__starts_at", "pk")


def cost_centres(establishment: Organization | int) -> QuerySet[CostCentre]:
    """The establishment's active cost centres (what a requester may bill a request to)."""
    return CostCentre.objects.for_organization(establishment).filter(is_active=True)


def languages() -> QuerySet[Language]:
    return Language.objects.filter(is_active=True)
