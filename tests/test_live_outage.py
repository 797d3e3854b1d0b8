"""When Redis or a worker goes away, with real services (issue 15): a redis-server of the test's own,
a `celery -A config worker` subprocess and the test's PostgreSQL database.

- Redis stopped mid-run: signing in with the second factor, a public booking and a staff booking
  answer normally, their emails wait as queued messages, and once Redis is back the re-queue hands
  them to the real worker, which sends each exactly once.
- A worker killed (SIGKILL) while emails are in flight: a new worker sends every message of the
  batch, none twice, and the ones that were in flight leave within the visibility timeout
  (CELERY_BROKER_TRANSPORT_OPTIONS), not the hour Redis would otherwise wait.

`pytest -m live` runs only these. They need PostgreSQL (the worker must read what the test
committed); on SQLite they are skipped, which CI (LIAISON_REQUIRE_ALL) counts as a failure.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from portal.models import Message, MessageStatus
from tests import live
from tests.factories import PASSWORD, totp_device
from tests.helpers import current_code

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stack(transactional_db, tmp_path):
    """A private Redis and a way to start workers against it and the test database; everything
    is killed at the end, whatever happened (before the database is flushed)."""
    url = live.database_url()
    if url is None:
        pytest.skip("the live tests need PostgreSQL (DATABASE_URL): a worker cannot open this test database")
    redis = live.RedisServer(tmp_path / "redis").start()
    workers = []

    def start_worker(**options):
        worker = live.Worker(
            tmp_path / f"worker{len(workers)}", redis_url=redis.url, database_url=url, **options
        )
        workers.append(worker)
        return worker.start()

    try:
        with live.publishing_to(redis.url) as app:
            yield redis, app, start_worker
    finally:
        for worker in workers:
            worker.kill()
        redis.stop()


def _sent(**filters):
    return Message.objects.filter(status=MessageStatus.SENT, **filters).count()


def test_with_redis_stopped_sign_in_booking_and_staff_work_and_every_email_leaves_once_when_it_is_back(
    stack, settings
):
    from appointments.booking.forms import time_value
    from appointments.models import Appointment
    from appointments.tests.conftest import World, open_online_booking
    from appointments.tests.helpers import book_online, book_url, staff_person
    from portal.tasks import requeue_stale_messages

    redis, app, start_worker = stack
    # The real cache of production (rate limits of sign-in and public forms) on the private Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    world = World()
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=3)
    device = totp_device(world.manager1)
    worker = start_worker()
    worker.wait_ready(app)

    redis.stop()
    assert not redis.answers()
    # Sign in, both steps.
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = staff.post(reverse("account_login"), {"login": world.manager1.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = staff.post(reverse("portal:mfa_verify"), {"code": current_code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert staff.get("/").status_code == 200
    # A public booking.
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = book_online(public, world, slot, at=world.at(2, 9, 30))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert public.get(response["Location"]).status_code == 200
    # A staff booking that emails its confirmation.
    session = staff.session
    session[ACTIVE_MEMBERSHIP_SESSION_KEY] = world.memberships["manager1"].pk
    session.save()
    response = staff.post(
        book_url(world, slot),
        staff_person(
            first_name="Marc",
            last_name="Cormier",
            time=time_value(slot, slot.starts_at),
            email="marc@example.com",
            send_email="on",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Appointment.objects.count() == 2

    waiting = dict(Message.objects.values_list("to_address", "status"))
    assert waiting == {"anne@example.com": MessageStatus.QUEUED, "marc@example.com": MessageStatus.QUEUED}
    assert set(Message.objects.values_list("attempts", flat=True)) == {0}
    assert worker.delivered() == {}

    redis.start()
    # The beat's re-queue (here at once, not 10 minutes later) hands them to the worker.
    assert requeue_stale_messages(minutes=0) == 2
    assert live.wait_for(lambda: _sent() == 2, 90), worker.log()
    assert worker.delivered() == {"anne@example.com": 1, "marc@example.com": 1}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    # Another re-queue finds nothing, and nothing leaves twice.
    assert requeue_stale_messages(minutes=0) == 0
    time.sleep(1)
    assert worker.delivered() == {"anne@example.com": 1, "marc@example.com": 1}


BATCH = 40
EMAIL_DELAY = 0.5  # seconds a send takes (a slow mail server), so that a kill finds some in flight
DEADLINE = 150  # seconds after the kill; the issue asks for a lost message within 2 minutes


def test_a_worker_killed_mid_batch_loses_no_email_and_sends_none_twice(stack, capsys):
    redis, app, start_worker = stack
    first = start_worker(email_delay=EMAIL_DELAY)
    first.wait_ready(app)
    for number in range(BATCH):
        services.notify(
            key=f"live-batch:{number}",
            template="portal/emails/task_assigned",
            email=f"batch-{number}@example.ca",
            language="en",
            link="/",
            context={"due_date": "2026-12-01"},
        )
    in_flight = first.kill_mid_send(when=lambda: _sent() >= 8)
    assert in_flight, f"no moment with every pool process sending:\n{first.log()}"
    killed_at, killed_clock = timezone.now(), time.monotonic()
    sent_before = _sent()
    assert len(in_flight) == first.concurrency
    assert not Message.objects.filter(to_address__in=in_flight, status=MessageStatus.SENT).exists()

    second = start_worker(email_delay=0)
    assert live.wait_for(lambda: _sent() == BATCH, DEADLINE, interval=0.5), (
        f"{_sent()} of {BATCH} sent {DEADLINE} s after the kill:\n{second.log()}"
    )
    all_sent = time.monotonic() - killed_clock
    counts = first.delivered()
    for address, count in second.delivered().items():
        counts[address] = counts.get(address, 0) + count
    expected = {f"batch-{number}@example.ca" for number in range(BATCH)}
    lost = sorted(expected - set(counts))
    duplicated = {address: count for address, count in counts.items() if count > 1}
    in_flight_seconds = [
        (sent_at - killed_at).total_seconds()
        for sent_at in Message.objects.filter(to_address__in=in_flight).values_list("sent_at", flat=True)
    ]
    with capsys.disabled():
        print(
            f"\nworker killed mid-batch: {BATCH} queued, {sent_before} sent before the kill, "
            f"{len(in_flight)} in flight; after: {sum(counts.values())} delivered, "
            f"{len(duplicated)} duplicated, {len(lost)} lost; in-flight ones delivered "
            f"{', '.join(f'{seconds:.1f}' for seconds in in_flight_seconds)} s after the kill; "
            f"all sent after {all_sent:.1f} s"
        )
    assert (lost, duplicated) == ([], {})
    assert set(counts) == expected
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
