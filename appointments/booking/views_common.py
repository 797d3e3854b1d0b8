"""Booking pages' common ground: the booking's progress in its signed cookie, the public rate limit,
the days offered, the public step's configuration, and whether a time is still open (issue 14: the
booking views by sub-area — views_search, views_form, views_own, views_staff)."""

from bisect import bisect_left, bisect_right
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core import signing
from django.db.models import Exists, F, OuterRef
from django.shortcuts import redirect
from django.utils import timezone

from appointments import availability, selectors
from appointments.models import Slot, SlotTime
from portal.ratelimit import over_limit


def public_over_limit(request, organization, bucket):
    """Public forms: at most PUBLIC_ATTEMPTS_PER_HOUR posts an hour from one address for one
    application (cancel attempts cannot guess numbers, scripts cannot empty the schedule)."""
    from django.conf import settings

    limit = getattr(settings, "APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR", 30)
    return over_limit(request, f"appointments:{bucket}:{organization.pk}", limit)


# The booking's progress (service, postal code, eligibility, chosen time, appointments booked) is kept
# in a signed cookie of the public pages, not in a database session row per visitor: a rush of
# thousands of people writes no session, and a visitor without the cookie simply starts again.
BOOKING_COOKIE = "liaison_booking"
BOOKING_COOKIE_PATH = "/appointments/public/"
BOOKING_SALT = "appointments.booking"
BOOKING_MAX_AGE = 12 * 3600


def booking_state(request):
    state = getattr(request, "_booking_state", None)
    if state is None:
        state = {}
        raw = request.COOKIES.get(BOOKING_COOKIE)
        if raw:
            try:
                loaded = signing.loads(raw, salt=BOOKING_SALT, max_age=BOOKING_MAX_AGE)
            except signing.BadSignature:
                loaded = None
            if isinstance(loaded, dict):
                state = loaded
        request._booking_state = state
    return state


def booking_session(request, organization):
    data = booking_state(request).get(str(organization.pk))
    return data if isinstance(data, dict) else {}


def save_booking_session(request, organization, **values):
    data = dict(booking_session(request, organization))
    data.update(values)
    booking_state(request)[str(organization.pk)] = data
    request._booking_state_changed = True


def keeps_booking_state(view):
    """Writes the booking state back into its cookie when the view changed it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(request, "_booking_state_changed", False):
            response.set_cookie(
                BOOKING_COOKIE,
                signing.dumps(request._booking_state, salt=BOOKING_SALT, compress=True),
                path=BOOKING_COOKIE_PATH,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return wrapped


def shown_days(clinic):
    """The days the public pages offer: today and the clinic's `days_shown` days after it."""
    today = timezone.localdate()
    return [today + timedelta(days=offset) for offset in range(clinic.days_shown + 1)]


def public_step(request, organization_id, service_id, location_id):
    """The clinic network, its settings, whether booking is open, the service and the location, from
    the cached public configuration (no query when it is cached); 404 for what is not offered."""
    site = selectors.public_site(organization_id)
    service = site.service(service_id)
    location = site.location(service, location_id)
    request._public_site = site
    return site.organization, site.clinic, site.clinic.online_booking_open, service, location


def service_questions(request, service):
    return selectors.public_questions(request._public_site, service)


def is_eligible(request, organization, service):
    if service.pk not in request._public_site.with_questions:
        return True
    return service.pk in booking_session(request, organization).get("eligible", [])


def step_redirect(request, organization, is_open, service, location, *, eligibility=True):
    """Where a booking step sends a person who may not be on it: the home page while online booking
    is closed, then (`eligibility`) the service's questions until they are answered; None: stay."""
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    if eligibility and not is_eligible(request, organization, service):
        return redirect("appointments:public_eligibility", organization.pk, service.pk, location.pk)
    return None


def is_open_time(organization, clinic, service, location, slot_id, moment):
    """Is this (slot, time) one of the open times? The form needs that one time only: its row is
    checked (one small statement), not the whole day's times rebuilt after every booking (a rush
    retires the day's cached times at each booking), unless the day's times are cached. The same rules as the times pages: a day shown,
    the slot at this location, open and offering the service, a place left, not passed."""
    day = timezone.localtime(moment).date()
    now = timezone.now()
    if day not in shown_days(clinic) or moment <= now:
        return False
    cached = availability.cached_day_times(location_id=location.pk, day=day, service_id=service.pk, now=now)
    if cached is not None:
        # The time looked up among the day's (sorted) times, not every later time built first.
        stamps, _lefts, _offered, every = cached
        ts = int(moment.timestamp())
        index = bisect_left(stamps, ts)
        return (
            index < len(stamps)
            and stamps[index] == ts
            and index >= bisect_right(stamps, int(now.timestamp()))
            and slot_id in every[index]
        )
    return (
        SlotTime.objects.for_organization(organization)
        .filter(
            slot_id=slot_id,
            starts_at=moment,
            slot__location_id=location.pk,
            slot__is_locked=False,
            taken__lt=F("capacity"),
        )
        .filter(
            Exists(Slot.services.through.objects.filter(slot_id=OuterRef("slot_id"), service_id=service.pk))
        )
        .exists()
    )


def time_value_of(slot_id, moment):
    return f"{slot_id}@{timezone.localtime(moment):%Y%m%dT%H%M}"


def time_gone(error):
    """Refusals about the time itself send the person back to the times; others stay on the form."""
    return getattr(error, "code", None) == "time_gone"
