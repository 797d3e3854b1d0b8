"""The calendar job: the demo loads, and every portal's pages and scheduled work run, at the instants
where date arithmetic usually breaks (month starts and ends, leap day, New Year's Eve, both
daylight-saving changes, the quiet-hour edges).

Each instant is a wall-clock time in the project's time zone (America/Moncton), written with its
UTC offset so that the two 01:30s of the autumn change are told apart.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from portal import dates
from portal.demo import load_all_demo_data
from portal.models import Membership, User
from tests.helpers import verified_client
from tests.registry import PAGES


def _at(text):
    return datetime.fromisoformat(text).astimezone(UTC)


INSTANTS = {
    "first-of-month": "2026-12-01T09:00:00-04:00",
    "second-of-month": "2026-12-02T09:00:00-04:00",
    "february-28-leap-year": "2028-02-28T12:00:00-04:00",
    "leap-day": "2028-02-29T12:00:00-04:00",
    "march-1-after-leap-day": "2028-03-01T10:00:00-04:00",
    "thirty-first": "2027-01-31T15:00:00-04:00",
    "new-years-eve-23-30": "2026-12-31T23:30:00-04:00",
    "spring-change-01-30": "2027-03-14T01:30:00-04:00",
    "spring-change-03-30": "2027-03-14T03:30:00-03:00",
    "autumn-change-first-01-30": "2027-11-07T01:30:00-03:00",
    "autumn-change-second-01-30": "2027-11-07T01:30:00-04:00",
    "07-59": "2027-06-15T07:59:00-03:00",
    "08-00": "2027-06-15T08:00:00-03:00",
    "20-59": "2027-06-15T20:59:00-03:00",
    "21-00": "2027-06-15T21:00:00-03:00",
}

VERIFIED_PAGES = [page for page in PAGES if page.account and page.state == "verified" and not page.debug]


def _open_every_page(world):
    """Every registered signed-in page answers as registered (200, or its stated status)."""
    failures = []
    clients = {}
    for page in VERIFIED_PAGES:
        user = world["users"][page.account]
        key = (page.account, page.role)
        if key not in clients:
            membership = None
            if page.role:
                membership = Membership.objects.get(user=user, role=page.role)
            clients[key] = verified_client(user, membership=membership)
        response = clients[key].get(page.path(world))
        if response.status_code != page.status:
            failures.append(
                f"{page.name}: {response.status_code} (expected {page.status}) {response.get('Location', '')}"
            )
    return failures


def _run_scheduled_work(now):
    """What Celery beat runs: reminders and relaunches, the interpreters' day-before reminders."""
    from appointments.follow_up.services import send_due_communications
    from interpreters.requests.notices import send_reminders

    send_due_communications(now=now)
    send_reminders(now=now)


def _book_publicly(now):
    """Someone books the first open place of the demo clinic (from the public path's service)."""
    from appointments.booking import services as booking_services
    from appointments.models import Slot

    slot = (
        Slot.objects.filter(starts_at__gt=now, is_locked=False)
        .select_related("resource")
        .order_by("starts_at")
        .first()
    )
    if slot is None:
        return None
    service = slot.services.first()
    return booking_services.book_place(
        actor=None,
        slot=slot,
        service=service,
        starts_at=slot.starts_at,
        first_name="Élise",
        last_name="Thériault",
        date_of_birth=(now - timedelta(days=365 * 40)).date(),
        email="elise@example.ca",
        online=True,
        send_email=True,
    )


def _confirm_last_month(now):
    """A provider confirms the month just ended on an activated order (money counted per month)."""
    from orders.confirmations import services as confirmation_services
    from orders.models import Order, SummaryStatus

    today = timezone.localdate(now)
    this_month = dates.month_start(today)
    last_month = dates.previous_month(today)
    order = (
        Order.objects.filter(
            summary__status=SummaryStatus.ACTIVATED,
            summary__start_date__lt=this_month,
            effective_date__lt=this_month,
            summary__end_date__gte=last_month,
        )
        .exclude(confirmations__month=last_month)
        .select_related("summary")
        .first()
    )
    if order is None:
        return None
    coordinator = User.objects.get(email="coordination@demo.liaison.ca")
    return confirmation_services.confirm_month(
        actor=coordinator,
        order=order,
        month=last_month,
        units_delivered=Decimal("37.5"),
        km_delivered=Decimal("12.5"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("instant", INSTANTS.values(), ids=INSTANTS.keys())
def test_the_demo_and_every_portal_work_at(instant):
    moment = _at(instant)
    # The demo is loaded in the two minutes before the instant, as time goes by (records made at
    # one frozen instant would all tie on their timestamps); the rest happens at the instant.
    with time_machine.travel(moment - timedelta(minutes=2), tick=True):
        organizations, users = load_all_demo_data()
    world = {"organizations": organizations, "users": users}
    with time_machine.travel(moment, tick=False):
        assert timezone.now() == moment
        failures = _open_every_page(world)
        assert not failures, "\n".join(failures)
        _run_scheduled_work(timezone.now())
        appointment = _book_publicly(timezone.now())
        assert appointment is not None and appointment.starts_at > moment
        _confirm_last_month(timezone.now())
