"""Operations (issue 17): /ready/ for load balancers, /metrics for Prometheus only, JSON request
logs with a request id and ids only (never a name or a search)."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import caches
from django.test import RequestFactory
from django.utils import timezone
from prometheus_client import generate_latest

from portal.models import Message
from portal.ops import heartbeat, logs, metrics
from portal.ops.tasks import heartbeat as heartbeat_task
from tests.factories import MembershipFactory
from tests.helpers import verified_client
from tests.live import RedisServer
from tests.outage import closed_port

ROOT = Path(__file__).resolve().parent.parent
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ops"}}


def _redis_cache(url):
    return {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def brokered(settings):
    """The production shape: a broker and a worker are expected (tasks are not run in-process)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = LOCAL_CACHE
    caches["default"].clear()
    return settings


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def ready(client):
    response = client.get("/ready/")
    return response.status_code, response.json()


# /health/ and /ready/ ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_stays_a_trivial_page(client):
    response = client.get("/health/")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_ready_in_the_embedded_set_up_has_nothing_to_wait_for(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    status, body = ready(client)
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "not_configured", "worker": "in_process"},
        "failing": [],
    }


@pytest.mark.django_db
def test_ready_fails_when_redis_is_down_and_recovers_with_the_next_heartbeat(client, brokered, redis_server):
    brokered.REDIS_URL = redis_server.url
    brokered.CACHES = _redis_cache(redis_server.url)
    heartbeat_task()  # what the worker does on start and at each beat
    assert ready(client)[0] == 200

    redis_server.stop()
    status, body = ready(client)
    assert status == 503
    assert body["checks"] == {"database": "ok", "redis": "unavailable", "worker": "missing"}
    assert body["failing"] == ["redis", "worker"]

    redis_server.start()  # same port, empty: the heartbeat went with it
    assert ready(client)[1]["failing"] == ["worker"]
    heartbeat_task()
    status, body = ready(client)
    assert status == 200
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


@pytest.mark.django_db
def test_ready_fails_when_the_worker_heartbeat_is_stale_and_recovers(client, brokered, redis_server):
    brokered.REDIS_URL = redis_server.url
    brokered.READY_HEARTBEAT_MAX_AGE = 120
    assert ready(client)[1]["checks"]["worker"] == "missing"
    heartbeat_task()
    with time_machine.travel(timezone.now() + timedelta(seconds=100), tick=False):
        status, body = ready(client)
        assert status == 200
        assert 99 <= body["worker_heartbeat_age_seconds"] <= 101
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        status, body = ready(client)
        assert status == 503
        assert body["failing"] == ["worker"] and body["checks"]["worker"] == "stale"
        heartbeat_task()
        assert ready(client)[0] == 200


@pytest.mark.django_db
def test_ready_never_shows_the_address_or_password_of_what_failed(client, brokered):
    brokered.REDIS_URL = f"redis://:s3cret-pass@127.0.0.1:{closed_port()}/0"
    response = client.get("/ready/")
    assert response.status_code == 503
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


@pytest.mark.django_db
def test_ready_answers_a_signed_in_person_and_a_load_balancer_alike(client, settings):
    # The embedded shape (no Redis, tasks in-process), whatever Redis the suite itself was given.
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    member = MembershipFactory()
    assert verified_client(member.user).get("/ready/").status_code == 200
    assert client.get("/ready/").status_code == 200


def test_a_worker_writes_its_heartbeat_on_start_and_beat_schedules_it(settings):
    from celery.signals import worker_ready

    import config.celery  # noqa: F401 (connects the signal)

    settings.CACHES = LOCAL_CACHE
    caches["default"].clear()
    assert heartbeat.heartbeat_age() is None
    worker_ready.send(sender=None)
    assert heartbeat.heartbeat_age() < 5
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == heartbeat_task.name
    assert entry["schedule"] < settings.READY_HEARTBEAT_MAX_AGE / 2
    assert entry["options"]["expires"] <= settings.READY_HEARTBEAT_MAX_AGE


# /metrics ---------------------------------------------------------------------------------------


def scrape(client, **headers):
    return client.get("/metrics", **headers)


def sample(text, name, **labels):
    """The value of one sample of the exposition text, or None."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split(" ")[-1])
    return None


@pytest.mark.django_db
def test_metrics_without_a_token_answer_only_loopback(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 200  # the test client comes from 127.0.0.1
    assert scrape(client, REMOTE_ADDR="203.0.113.9").status_code == 404
    # Through a reverse proxy on the same host, REMOTE_ADDR is loopback but the request is not.
    assert scrape(client, HTTP_X_FORWARDED_PROTO="https").status_code == 404


@pytest.mark.django_db
def test_metrics_with_a_token_need_it_from_every_address(client, settings):
    settings.METRICS_TOKEN = "t0ken-for-prometheus"
    assert scrape(client).status_code == 403
    assert scrape(client, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert scrape(client, HTTP_AUTHORIZATION="Basic t0ken-for-prometheus").status_code == 403
    response = scrape(client, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_metrics_are_not_a_page_a_signed_in_person_can_open(settings):
    settings.METRICS_TOKEN = "t0ken-for-prometheus"
    member = MembershipFactory(user__is_staff=True)
    assert verified_client(member.user).get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_status_with_their_latency(client):
    before = (
        sample(
            scrape(client).content.decode(),
            "liaison_http_requests_total",
            view="portal:health",
            method="GET",
            status="200",
        )
        or 0
    )
    client.get("/health/")
    client.get("/health/")
    client.get("/no-such-page/")
    text = scrape(client).content.decode()
    assert (
        sample(text, "liaison_http_requests_total", view="portal:health", method="GET", status="200")
        == before + 2
    )
    assert sample(text, "liaison_http_requests_total", view="<unresolved>", method="GET", status="404") >= 1
    assert sample(text, "liaison_http_request_duration_seconds_count", view="portal:health") >= 2
    assert "no-such-page" not in text  # a view name, never an address


@pytest.mark.django_db
def test_metrics_count_messages_by_channel_and_state_from_the_database(client):
    for index, (channel, status) in enumerate(
        [("email", "sent"), ("email", "sent"), ("sms", "failed"), ("email", "queued")]
    ):
        Message.objects.create(
            key=f"ops-{index}",
            channel=channel,
            template="t",
            to_address="a@example.ca",
            language="fr",
            status=status,
        )
    text = scrape(client).content.decode()
    assert sample(text, "liaison_messages", channel="email", status="sent") == 2
    assert sample(text, "liaison_messages", channel="sms", status="failed") == 1
    assert sample(text, "liaison_messages", channel="email", status="queued") == 1
    assert 0 <= sample(text, "liaison_messages_oldest_queued_age_seconds") < 60
    assert sample(text, "liaison_appointments_booked_recent", channel="online") == 0


@pytest.mark.django_db
def test_metrics_read_the_celery_queue_and_the_heartbeat_from_redis(client, brokered, redis_server):
    import redis

    brokered.REDIS_URL = redis_server.url
    brokered.CELERY_TASK_DEFAULT_QUEUE = "liaison"
    connection = redis.Redis.from_url(redis_server.url)
    connection.rpush("liaison", "a", "b", "c")
    connection.rpush("liaison\x06\x163", "d")
    text = scrape(client).content.decode()
    assert sample(text, "liaison_celery_queue_length", queue="liaison") == 4
    assert sample(text, "liaison_redis_up") == 1
    assert sample(text, "liaison_worker_heartbeat_age_seconds") == -1
    redis_server.stop()
    text = scrape(client).content.decode()
    assert sample(text, "liaison_redis_up") == 0  # the scrape still answers


def _booking_post(status, location=""):
    request = RequestFactory().post("/appointments/public/1/book/1/1/details/")
    request.resolver_match = type("Match", (), {"view_name": metrics.BOOKING_VIEW})()
    response = type(
        "Response", (), {"status_code": status, "headers": {"Location": location} if location else {}}
    )()
    return request, response


def test_public_booking_posts_count_as_committed_refused_or_error():
    outcomes = {"committed": 0, "refused": 0, "error": 0}
    before = {key: metrics.BOOKINGS.labels(outcome=key)._value.get() for key in outcomes}
    cases = [
        (302, "/appointments/public/1/confirmation/A-1/", "committed"),
        (302, "/appointments/public/1/book/1/1/time/", "refused"),  # the time filled up
        (200, "", "refused"),  # the form again, with its errors
        (500, "", "error"),
    ]
    for status, location, _outcome in cases:
        request, response = _booking_post(status, location)
        metrics.MetricsMiddleware(lambda request, response=response: response)(request)
        outcomes[_outcome] += 1
    after = {key: metrics.BOOKINGS.labels(outcome=key)._value.get() for key in outcomes}
    assert {key: after[key] - before[key] for key in outcomes} == outcomes


def test_a_registered_gauge_appears_at_the_next_scrape(db):
    metrics.register_gauge("liaison_test_waiting_room_length", "People waiting.", lambda: 7)
    try:
        assert sample(metrics.render().decode(), "liaison_test_waiting_room_length") == 7
    finally:
        metrics._EXTRA_GAUGES.pop("liaison_test_waiting_room_length")


def test_request_counts_of_several_processes_are_added_up(tmp_path, monkeypatch):
    """Several gunicorn workers: each counts in its own file, one scrape reads them all."""
    count = (
        "from portal.ops import metrics\n"
        "metrics.REQUESTS.labels(view='portal:health', method='GET', status='200').inc()\n"
    )
    environment = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    for _process in range(2):
        subprocess.run([sys.executable, "-c", count], cwd=ROOT, env=environment, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    text = generate_latest(metrics.counted_registry()).decode()
    assert sample(text, "liaison_http_requests_total", view="portal:health", method="GET", status="200") == 2


# Logs -------------------------------------------------------------------------------------------


class JsonLog:
    """Everything logged from `start()` on, formatted as production does (JSON, request context)."""

    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logs.JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.handler.addFilter(logs.RequestContextFilter())
        self.loggers = {
            logging.getLogger(): logging.DEBUG,
            logging.getLogger("liaison.request"): logging.INFO,
        }
        self.old = {logger: logger.level for logger in self.loggers}

    def start(self):
        logging.getLogger().addHandler(self.handler)
        for logger, level in self.loggers.items():
            logger.setLevel(level)

    def stop(self):
        logging.getLogger().removeHandler(self.handler)
        for logger, level in self.old.items():
            logger.setLevel(level)

    def __call__(self):
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]


@pytest.fixture
def json_log():
    log = JsonLog()
    yield log
    log.stop()


@pytest.mark.django_db
def test_every_answer_carries_a_request_id_and_keeps_a_plain_one_from_the_proxy(client):
    made = client.get("/health/")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/health/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")["X-Request-ID"] == "lb-7f3a9c21-0001"
    smuggled = client.get("/health/", HTTP_X_REQUEST_ID="x" * 8 + " Tremblay")["X-Request-ID"]
    assert "Tremblay" not in smuggled and len(smuggled) == 32


@pytest.mark.django_db
def test_a_request_line_names_the_person_by_ids_only(json_log):
    member = MembershipFactory(
        user__first_name="Geneviève", user__last_name="Tremblay", user__email="gtremblay@example.ca"
    )
    person = verified_client(member.user, membership=member)
    json_log.start()
    response = person.get("/tasks/", HTTP_X_REQUEST_ID="lb-req-000042")
    assert response.status_code == 200
    lines = [line for line in json_log() if line["logger"] == "liaison.request"]
    assert lines[-1] == {
        **lines[-1],
        "message": "GET /tasks/ 200",
        "route": "/tasks/",
        "view": "portal:task_list",
        "status": 200,
        "request_id": "lb-req-000042",
        "user_id": member.user.pk,
        "organization_id": member.organization_id,
        "level": "INFO",
    }
    everything = json.dumps(json_log(), ensure_ascii=False)
    assert "Tremblay" not in everything and "Geneviève" not in everything and "gtremblay" not in everything


@pytest.mark.django_db
def test_searches_and_query_strings_never_reach_the_logs(json_log):
    member = MembershipFactory()
    person = verified_client(member.user, membership=member)
    json_log.start()
    person.get("/tasks/?last_name=Tremblay&date_of_birth=1980-02-03")
    # Django's own "Not Found" line carries the request object, whose text is the whole address.
    person.get("/nowhere/?q=Tremblay")
    person.get("/appointments/public/999999/confirmation/ZX-123456/")
    records = json_log()
    assert any(record["logger"] == "django.request" for record in records)
    everything = json.dumps(records)
    assert "Tremblay" not in everything and "1980-02-03" not in everything
    # An address may carry a record's number: the request line gives the route instead.
    lines = [record for record in records if record["logger"] == "liaison.request"]
    assert lines[-1]["route"] == "/appointments/public/<int:organization_id>/confirmation/<str:number>/"
    assert "ZX-123456" not in json.dumps(lines)


def test_production_logs_are_json_with_the_request_context():
    script = (
        "import json, logging; from django.conf import settings; import django; django.setup();"
        "h = logging.getLogger().handlers[0];"
        "print(json.dumps([type(h.formatter).__name__, [type(f).__name__ for f in h.filters], settings.CELERY_WORKER_HIJACK_ROOT_LOGGER]))"
    )
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k3y-" + "abcdefghij0123456789" * 3,
        "ALLOWED_HOSTS": "liaison.example.ca",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    environment.pop("LOG_FORMAT", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "JsonFormatter",
        ["RequestContextFilter"],
        False,
    ]


def test_gunicorn_writes_no_access_log_of_its_own():
    """gunicorn's access log would carry query strings and Referers; the app's line replaces it."""
    import runpy

    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert config["accesslog"] is None
    assert callable(config["child_exit"]) and callable(config["on_starting"])
