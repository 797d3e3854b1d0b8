"""Production mode: refuses to start without its secrets, and passes check --deploy cleanly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="liaison.example.ca")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_check_deploy_with_no_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="k3y-" + "abcdefghij0123456789" * 3,
        ALLOWED_HOSTS="liaison.example.ca",
        SITE_URL="https://liaison.example.ca",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_task_lost_with_its_worker_is_handed_out_again_within_two_minutes_after_every_countdown():
    """acks_late on Redis: an unacknowledged task returns to the queue after the visibility
    timeout (plus one restore sweep). A countdown longer than that timeout would be handed out
    again while it waits, so the longest retry of send_message stays below it."""
    from django.conf import settings

    from portal.tasks import SEND_RETRIES, send_message

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    sweep = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert options["visibility_timeout"] + sweep < 120
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    # retry_backoff: the n-th retry (from 0) waits at most 2**n seconds.
    longest_countdown = min(2 ** (SEND_RETRIES - 1), getattr(send_message, "retry_backoff_max", 600))
    assert longest_countdown < options["visibility_timeout"]
