"""Suite-wide rules: no request may answer 5xx; in CI (LIAISON_REQUIRE_ALL) nothing is skipped."""

import os
from datetime import timedelta

import pytest
from django.core.signals import got_request_exception

# Playwright's sync API runs an event loop in the test thread; the ORM calls our tests make
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_ALL = os.environ.get("LIAISON_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, where nothing may be skipped: {report.longrepr}"


@pytest.fixture(autouse=True)
def _no_server_errors():
    """Any unhandled exception in a view (test client or live server) fails the test."""
    errors = []

    def record(sender, request=None, **kwargs):
        errors.append(getattr(request, "path", "?"))

    got_request_exception.connect(record, weak=False)
    yield errors
    got_request_exception.disconnect(record)
    assert not errors, f"server error (5xx) on {errors}"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "portal.sms.LocmemBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://liaison.example.ca"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # An unscoped read of an organization's data in a request fails the test (portal.scoping).
    settings.SCOPING_STRICT = True
    # A slow machine must not turn "still there" into an extra session write inside a measured
    # request (query-count tests); idle timeouts are tested by setting last_seen explicitly.
    settings.SESSION_LAST_SEEN_EVERY = timedelta(minutes=10)
    # The waitlist is tested whatever the environment says (on by default).
    settings.APPOINTMENTS_WAITLIST = True
    from django.core.cache import cache

    from portal import sms

    cache.clear()
    sms.outbox.clear()
    yield


@pytest.fixture(autouse=True)
def _reset_translation():
    """Each test starts in the default language, whatever an earlier test activated."""
    from django.utils import translation

    translation.activate(settings_language())
    yield
    translation.activate(settings_language())


def settings_language():
    from django.conf import settings

    return settings.LANGUAGE_CODE


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process, except in tests marked `broker`, which use Redis and a real worker."""
    from config.celery import app

    if request.node.get_closest_marker("broker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and at the end, before it is dropped, any session another
    process (a worker a test started, a live server) left open on it: named in the output, then
    ended, so that the drop does not fail with "being accessed by other users"."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, client_addr, backend_start, state, left(query, 200)"
                " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            stray = cursor.fetchall()
            for row in stray:
                print(f"\nA session was still open on the test database at the end: {row}")
                cursor.execute("SELECT pg_terminate_backend(%s)", [row[0]])
