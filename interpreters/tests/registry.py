"""The interpreter bank's entries in the cross-app suites, kept next to its code.

tests/registry.py collects them (APP_REGISTRIES): object URLs for the permission matrix, pages
without an object for its 403 half and pages for the accessibility suite (no list is searched by
personal details). The entries' shapes (ObjectURL, Page) are documented there.
Reach these entries through tests.registry (importing this module first is a circular import).
"""

from django.urls import reverse

from tests.registry import ObjectURL, Page

OBJECT_URLS: list[ObjectURL] = []
CAPABILITY_PAGES: list[tuple] = []
PAGES: list[Page] = []
PERSONAL_SEARCHES: list = []




def _interpreters_request(organization):
    """A request of this establishment (served by a bank of its own), three days from now."""
    from datetime import time, timedelta

    from django.utils import timezone

    from interpreters.models import CostCentre, Language, ServedEstablishment, ServiceType
    from interpreters.reference import ensure_reference_data
    from interpreters.requests import services
    from tests.factories import MembershipFactory, OrganizationFactory

    ensure_reference_data()
    ServedEstablishment.objects.get_or_create(
        establishment=organization, defaults={"bank": OrganizationFactory(kind="interpreter_bank")}
    )
    requester = MembershipFactory(organization=organization, role="interpreters.requester").user
    centre = CostCentre.objects.create(establishment=organization, code=f"C{organization.pk}", name="Centre")
    return services.create_request(
        actor=requester,
        establishment=organization,
        language=Language.objects.get(code="ar"),
        dialect="",
        date=timezone.localdate() + timedelta(days=3),
        start_time=time(10, 0),
        duration_minutes=60,
        modality="phone",
        site_name="",
        address="",
        postal_code="",
        room="",
        remote_details="514-555-0100",
        service_type=ServiceType.objects.get(code="medical"),
        participants=2,
        gender_preference="",
        preference_reason="",
        context="",
        instructions="",
        contact_name="Contact",
        contact_phone="514-555-0100",
        cost_centre=centre,
    )[0]


ESTABLISHMENT = ("health_establishment",)

OBJECT_URLS += [
    ObjectURL(
        "interpreters:request",
        "interpreters.view",
        ESTABLISHMENT,
        lambda org: reverse("interpreters:request", args=[_interpreters_request(org).pk]),
    ),
    ObjectURL(
        "interpreters:request_edit",
        "interpreters.request",
        ESTABLISHMENT,
        lambda org: reverse("interpreters:request_edit", args=[_interpreters_request(org).pk]),
    ),
    ObjectURL(
        "interpreters:request_cancel",
        "interpreters.view",
        ESTABLISHMENT,
        lambda org: reverse("interpreters:request_cancel", args=[_interpreters_request(org).pk]),
    ),
]

# The bank's side: the matrix signs in as a coordinator or an interpreter of one bank and asks for
# another bank's records (a second organization of the same kind).


def _interpreters_interpreter(bank):
    """The bank's interpreter member (the matrix's own person when it signs in as one), or a new one."""
    from interpreters.models import InterpreterProfile, Language
    from portal.models import Membership
    from tests.factories import MembershipFactory

    membership = Membership.objects.filter(organization=bank, role="interpreters.interpreter").first()
    if membership is None:
        membership = MembershipFactory(organization=bank, role="interpreters.interpreter")
    profile, _created = InterpreterProfile.objects.get_or_create(
        user=membership.user,
        defaults={"bank": bank, "modalities": ["phone", "video"], "home_postal_code": "H2X 1Y4"},
    )
    profile.languages.set(Language.objects.filter(code="ar"))
    return profile


def _interpreters_bank_request(bank, stage="offered"):
    """A request to this bank (from an establishment it serves), offered to its interpreter;
    `stage` "accepted" or "completed" takes it further."""
    from datetime import timedelta

    from django.utils import timezone

    from interpreters.models import Request, ServedEstablishment
    from interpreters.requests import services
    from tests.factories import OrganizationFactory, UserFactory

    establishment = OrganizationFactory(kind="health_establishment")
    ServedEstablishment.objects.create(establishment=establishment, bank=bank)
    request = _interpreters_request(establishment)
    interpreter = _interpreters_interpreter(bank)
    coordinator = UserFactory()
    request = services.assign_interpreter(actor=coordinator, request=request, interpreter=interpreter)
    if stage == "offered":
        return request
    request = services.accept_offer(actor=interpreter.user, request=request)
    if stage == "accepted":
        return request
    request = services.confirm_request(actor=coordinator, request=request)
    start = timezone.now() - timedelta(days=1)
    Request.objects.filter(pk=request.pk).update(
        date=timezone.localdate(start), starts_at=start, ends_at=start + timedelta(minutes=60)
    )
    request.refresh_from_db()
    return services.record_completion(
        actor=interpreter.user,
        request=request,
        actual_start=start,
        actual_end=start + timedelta(minutes=60),
        travel_km=0,
        waiting_minutes=0,
        expenses=0,
        notes="",
    )


def _interpreters_registration(bank):
    from interpreters.models import ServedEstablishment
    from interpreters.registrations import services
    from tests.factories import OrganizationFactory

    establishment = OrganizationFactory(kind="health_establishment")
    ServedEstablishment.objects.create(establishment=establishment, bank=bank)
    return services.register_requester(
        first_name="Nadine",
        last_name="Bélanger",
        email=f"nadine.{establishment.pk}@example.ca",
        phone="",
        establishment=establishment,
        job_title="Social worker",
        preferred_language="fr",
    )


def _interpreters_statement(bank):
    from django.utils import timezone

    from interpreters.models import Statement
    from tests.factories import UserFactory

    return Statement.objects.create(
        bank=bank,
        number=f"F-{bank.pk}",
        kind="establishment",
        month=timezone.localdate().replace(day=1),
        issued_by=UserFactory(),
    )


def _interpreters_rate(bank):
    from interpreters.billing import services
    from interpreters.models import Rate

    services.ensure_rates(bank=bank)
    return Rate.objects.filter(bank=bank).first()


BANK = ("interpreter_bank",)

OBJECT_URLS += [
    ObjectURL(
        "interpreters:request (bank)",
        "interpreters.view",
        BANK,
        lambda bank: reverse("interpreters:request", args=[_interpreters_bank_request(bank).pk]),
    ),
    ObjectURL(
        # The view asks for view, then cancelling is the requester's or the coordinator's.
        "interpreters:request_cancel (bank)",
        "interpreters.assign",
        BANK,
        lambda bank: reverse("interpreters:request_cancel", args=[_interpreters_bank_request(bank).pk]),
    ),
    ObjectURL(
        "interpreters:assign",
        "interpreters.assign",
        BANK,
        lambda bank: reverse("interpreters:assign", args=[_interpreters_bank_request(bank).pk]),
    ),
    ObjectURL(
        "interpreters:completion_correct",
        "interpreters.assign",
        BANK,
        lambda bank: reverse(
            "interpreters:completion_correct", args=[_interpreters_bank_request(bank, "completed").pk]
        ),
    ),
    ObjectURL(
        "interpreters:interpreter_edit",
        "interpreters.assign",
        BANK,
        lambda bank: reverse("interpreters:interpreter_edit", args=[_interpreters_interpreter(bank).pk]),
    ),
    ObjectURL(
        "interpreters:interpreter_calendar",
        "interpreters.assign",
        BANK,
        lambda bank: reverse("interpreters:interpreter_calendar", args=[_interpreters_interpreter(bank).pk]),
    ),
    ObjectURL(
        "interpreters:registration_decide",
        "interpreters.assign",
        BANK,
        lambda bank: reverse("interpreters:registration_decide", args=[_interpreters_registration(bank).pk]),
    ),
    ObjectURL(
        "interpreters:statement",
        "interpreters.billing",
        BANK,
        lambda bank: reverse("interpreters:statement", args=[_interpreters_statement(bank).pk]),
    ),
    ObjectURL(
        "interpreters:rate_edit",
        "interpreters.billing",
        BANK,
        lambda bank: reverse("interpreters:rate_edit", args=[_interpreters_rate(bank).pk]),
    ),
    ObjectURL(
        "interpreters:offer_answer",
        "interpreters.perform",
        BANK,
        lambda bank: reverse(
            "interpreters:offer_answer", args=[_interpreters_bank_request(bank).pk, "decline"]
        ),
    ),
    ObjectURL(
        "interpreters:completion_record",
        "interpreters.perform",
        BANK,
        lambda bank: reverse("interpreters:completion_record", args=[_interpreters_bank_request(bank).pk]),
    ),
    ObjectURL(
        "interpreters:request_ics",
        "interpreters.perform",
        BANK,
        lambda bank: reverse(
            "interpreters:request_ics", args=[_interpreters_bank_request(bank, "accepted").pk]
        ),
    ),
]

CAPABILITY_PAGES += [
    ("interpreters:request_list", (), "interpreters.request"),
    ("interpreters:request_create", (), "interpreters.request"),
    ("interpreters:queue", (), "interpreters.assign"),
    ("interpreters:registrations", (), "interpreters.assign"),
    ("interpreters:interpreters", (), "interpreters.assign"),
    ("interpreters:statements", (), "interpreters.billing"),
    ("interpreters:my_work", (), "interpreters.perform"),
    ("interpreters:availability", (), "interpreters.perform"),
]

REQUESTER = "requester@demo.liaison.ca"
COORDINATOR = "coordinator@demo.liaison.ca"
INTERPRETER = "interpreter@demo.liaison.ca"


def _demo_request(world, status):
    from interpreters.models import Request

    return Request.objects.filter(status=status).order_by("pk").first()


PAGES += [
    Page("interpreters-sign-up", lambda w: reverse("interpreters:sign_up"), account=None),
    Page("interpreters-sign-up-done", lambda w: reverse("interpreters:sign_up_done"), account=None),
    Page("interpreters-requests", lambda w: reverse("interpreters:request_list"), account=REQUESTER),
    Page("interpreters-request-new", lambda w: reverse("interpreters:request_create"), account=REQUESTER),
    Page(
        "interpreters-request-requester",
        lambda w: reverse("interpreters:request", args=[_demo_request(w, "confirmed").pk]),
        account=REQUESTER,
    ),
    Page(
        "interpreters-request-edit",
        lambda w: reverse("interpreters:request_edit", args=[_demo_request(w, "submitted").pk]),
        account=REQUESTER,
    ),
    Page(
        "interpreters-request-cancel",
        lambda w: reverse("interpreters:request_cancel", args=[_demo_request(w, "confirmed").pk]),
        account=REQUESTER,
    ),
    Page(
        "interpreters-queue",
        lambda w: reverse("interpreters:queue"),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-assign",
        lambda w: reverse("interpreters:assign", args=[_demo_request(w, "submitted").pk]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-request-coordinator",
        lambda w: reverse("interpreters:request", args=[_demo_request(w, "completed").pk]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-correct",
        lambda w: reverse("interpreters:completion_correct", args=[_demo_request(w, "validated").pk]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-registrations",
        lambda w: reverse("interpreters:registrations"),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-registration",
        lambda w: reverse("interpreters:registration_decide", args=[_demo_registration()]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-interpreters",
        lambda w: reverse("interpreters:interpreters"),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-interpreter-edit",
        lambda w: reverse("interpreters:interpreter_edit", args=[_demo_profile()]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-interpreter-calendar-week",
        lambda w: reverse("interpreters:interpreter_calendar", args=[_demo_busy_profile()]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-interpreter-calendar-day",
        lambda w: reverse("interpreters:interpreter_calendar", args=[_demo_busy_profile()]) + "?view=day",
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-statements",
        lambda w: reverse("interpreters:statements"),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-statement",
        lambda w: reverse("interpreters:statement", args=[_demo_statement()]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page(
        "interpreters-rate",
        lambda w: reverse("interpreters:rate_edit", args=[_demo_rate()]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page("interpreters-my-work", lambda w: reverse("interpreters:my_work"), account=INTERPRETER),
    Page("interpreters-availability", lambda w: reverse("interpreters:availability"), account=INTERPRETER),
    Page(
        "interpreters-decline",
        lambda w: reverse("interpreters:offer_answer", args=[_demo_request(w, "assigned").pk, "decline"]),
        account=INTERPRETER,
    ),
    Page(
        "interpreters-complete",
        lambda w: reverse("interpreters:completion_record", args=[_demo_request(w, "confirmed").pk]),
        account=INTERPRETER,
    ),
]


def _demo_bank():
    """The bank coordinator@ works for (the demo has a second bank, which coordinator@ cannot see)."""
    from portal.models import Organization

    return Organization.objects.get(
        memberships__user__email=COORDINATOR, memberships__role="interpreters.coordinator"
    )


def _demo_registration():
    from interpreters.models import Registration

    return Registration.objects.filter(bank=_demo_bank()).first().pk


def _demo_profile():
    from interpreters.models import InterpreterProfile

    return InterpreterProfile.objects.filter(bank=_demo_bank()).first().pk


def _demo_busy_profile():
    """The demo bank's interpreter with the most requests (their calendar has something to show)."""
    from django.db.models import Count

    from interpreters.models import InterpreterProfile

    return (
        InterpreterProfile.objects.filter(bank=_demo_bank())
        .annotate(held=Count("requests"))
        .order_by("-held", "pk")
        .first()
        .pk
    )


def _demo_statement():
    from interpreters.models import Statement

    return Statement.objects.filter(bank=_demo_bank()).first().pk


def _demo_rate():
    from interpreters.models import Rate

    return Rate.objects.filter(bank=_demo_bank()).first().pk
