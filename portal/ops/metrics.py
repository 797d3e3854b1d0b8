"""Prometheus metrics, served at /metrics to Prometheus only (a bearer token, or loopback).

Two kinds, so that several gunicorn workers give one truthful answer:

- Request metrics (`liaison_http_requests_total`, `liaison_http_request_duration_seconds`,
  `liaison_public_bookings_total`) are counted in each process. Under gunicorn, config/gunicorn.py
  sets PROMETHEUS_MULTIPROC_DIR and prometheus-client's multiprocess mode adds every worker's
  counts up at scrape time, whichever worker answers.
- State metrics are read at scrape time from what every process shares, PostgreSQL and Redis:
  messages by channel and state, the oldest queued message, appointments booked recently, the
  Celery queue length, the worker heartbeat's age. They are gauges computed by `StateCollector`,
  never kept in a process.

A future waiting room (or any other component) adds its gauge with `register_gauge`, e.g.

    register_gauge("liaison_waiting_room_length", "People waiting to reach the booking form.",
                   lambda: waiting_room.length())

and it appears in the next scrape; nothing is exported for it until then.
"""

import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from datetime import timedelta

import redis
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from portal.ops import heartbeat

# No `_created` twin of every counter: Prometheus computes rates without it.
disable_created_metrics()

REQUESTS = Counter(
    "liaison_http_requests",
    "HTTP requests answered, by view name (URL name), method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "liaison_http_request_duration_seconds",
    "Time to answer an HTTP request, by view name.",
    ["view"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
BOOKINGS = Counter(
    "liaison_public_bookings",
    "Public booking form posts: committed (an appointment was booked), refused (the time filled up, "
    "the form was incomplete, or the address hit its hourly limit), error (5xx).",
    ["outcome"],
)

# The public booking step that books (appointments' URL names; read, never imported).
BOOKING_VIEW = "appointments:public_details"
BOOKING_DONE = "/confirmation/"
RECENT = timedelta(minutes=15)
# kombu's Redis transport keeps one list per queue and priority (name, name\x06\x163, ...).
_PRIORITY_SEP = "\x06\x16"
_PRIORITIES = (0, 3, 6, 9)


def _view_label(request):
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or "<unnamed>"
    if request.path.startswith(settings.STATIC_URL):
        return "<static>"
    return "<unresolved>"  # never the path itself: unbounded label values


def _booking_outcome(request, response):
    if response.status_code >= 500:
        return "error"
    location = response.headers.get("Location", "")
    return "committed" if response.status_code == 302 and BOOKING_DONE in location else "refused"


class MetricsMiddleware:
    """Counts and times every request (outermost, so the time includes every other middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_label(request)
        REQUESTS.labels(view=view, method=request.method, status=str(response.status_code)).inc()
        LATENCY.labels(view=view).observe(time.perf_counter() - started)
        if view == BOOKING_VIEW and request.method == "POST":
            BOOKINGS.labels(outcome=_booking_outcome(request, response)).inc()
        return response


# State read at scrape time ---------------------------------------------------------------------

_EXTRA_GAUGES: dict[str, tuple[str, Callable[[], float | None]]] = {}


def register_gauge(name: str, documentation: str, read: Callable[[], float | None]) -> None:
    """A gauge read at every scrape (a waiting room's length...); `read` returning None skips it."""
    _EXTRA_GAUGES[name] = (documentation, read)


def _messages():
    from portal.models import MessageStatus

    Message = apps.get_model("portal", "Message")
    by_state = GaugeMetricFamily(
        "liaison_messages", "Portal messages (email, SMS) by channel and state.", labels=["channel", "status"]
    )
    for row in Message.objects.values("channel", "status").annotate(n=Count("pk")).order_by():
        by_state.add_metric([row["channel"], row["status"]], row["n"])
    yield by_state
    oldest = Message.objects.filter(status=MessageStatus.QUEUED).aggregate(oldest=Min("created_at"))["oldest"]
    yield GaugeMetricFamily(
        "liaison_messages_oldest_queued_age_seconds",
        "Age of the oldest message still queued (0 when none is).",
        value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
    )


def _appointments():
    if not apps.is_installed("appointments"):
        return
    Appointment = apps.get_model("appointments", "Appointment")
    since = timezone.now() - RECENT
    rows = (
        Appointment.objects.scoped("metrics: counts across every clinic network")
        .filter(created_at__gte=since)
        .values("booked_online")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["booked_online"]: row["n"] for row in rows}
    family = GaugeMetricFamily(
        "liaison_appointments_booked_recent",
        "Appointments booked in the last 15 minutes (any status now), online or by staff.",
        labels=["channel"],
    )
    family.add_metric(["online"], counts.get(True, 0))
    family.add_metric(["staff"], counts.get(False, 0))
    yield family


def _queue():
    if not settings.REDIS_URL:
        return
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        waiting = sum(
            client.llen(queue if priority == 0 else f"{queue}{_PRIORITY_SEP}{priority}")
            for priority in _PRIORITIES
        )
        unacked = client.hlen("unacked")
    except redis.RedisError:
        yield GaugeMetricFamily("liaison_redis_up", "1 when Redis answered this scrape.", value=0)
        return
    finally:
        client.close()
    yield GaugeMetricFamily("liaison_redis_up", "1 when Redis answered this scrape.", value=1)
    family = GaugeMetricFamily(
        "liaison_celery_queue_length", "Tasks waiting in the Celery queue.", labels=["queue"]
    )
    family.add_metric([queue], waiting)
    yield family
    yield GaugeMetricFamily(
        "liaison_celery_unacked", "Tasks handed to a worker and not acknowledged yet.", value=unacked
    )


def _heartbeat():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    age = heartbeat.heartbeat_age()
    yield GaugeMetricFamily(
        "liaison_worker_heartbeat_age_seconds",
        "Seconds since a Celery worker last wrote its heartbeat (-1 when there is none).",
        value=-1 if age is None else age,
    )


def _extra():
    for name, (documentation, read) in sorted(_EXTRA_GAUGES.items()):
        value = read()
        if value is not None:
            yield GaugeMetricFamily(name, documentation, value=value)


class StateCollector:
    """Gauges computed from PostgreSQL and Redis at each scrape (the same for every process)."""

    def collect(self):
        for part in (_messages, _appointments, _queue, _heartbeat, _extra):
            yield from part()


class _Scrape:
    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def counted_registry() -> CollectorRegistry:
    """This process's counters, or every gunicorn worker's added up (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def render() -> bytes:
    return generate_latest(_Scrape(counted_registry(), StateCollector()))


# Who may read them ------------------------------------------------------------------------------

# Headers a reverse proxy adds: a request that carries one did not come from this host's loopback.
_PROXIED = ("HTTP_X_FORWARDED_PROTO", "HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_X_FORWARDED_HOST")


def _from_loopback(request):
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback and not any(header in request.META for header in _PROXIED)


def _bearer(request):
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@login_not_required
@never_cache
def metrics(request):
    """With METRICS_TOKEN set: `Authorization: Bearer <token>` or 403. Without: loopback or 404."""
    token = settings.METRICS_TOKEN
    if token:
        if not hmac.compare_digest(_bearer(request).encode(), token.encode()):
            response = HttpResponse(status=403)
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    elif not _from_loopback(request):
        raise Http404
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
