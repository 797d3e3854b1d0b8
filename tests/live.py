"""Real services for the live tests (tests/test_live_*.py, scripts/kill_worker.py): a private
redis-server on a free loopback port, a `celery -A config worker` subprocess, and the mail it
delivers, counted per address.

Nothing here touches the CI's Redis: stopping the private one disturbs no other test. Every
process is started in a session of its own and killed as a group, so no worker outlives its test.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.mail.backends import filebased

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
# Ports the CI (.ci/run) and other runs use; never take them.
RESERVED_PORTS = {54329, 63799, 6379}


def free_port():
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


def wait_for(predicate, seconds, interval=0.1):
    """Poll `predicate` until it is true or `seconds` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _kill_group(process, sig=signal.SIGKILL):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


class RedisServer:
    """A redis-server of our own (no persistence), which can be stopped and started again on the
    same port, as an operator restarting Redis would."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.directory)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_for(self.answers, 10):
            self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        return self

    def answers(self):
        import redis

        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
        except redis.RedisError:
            return False

    def stop(self):
        """Stopped as by `systemctl stop redis` (SIGTERM); its queues are gone with it."""
        _kill_group(self.process, signal.SIGTERM)
        self.process = None


class Worker:
    """`celery -A config worker` in a subprocess against the test database and a private Redis;
    email goes through MarkedFileBackend into `mail_dir`."""

    def __init__(self, directory, *, redis_url, database_url, concurrency=2, email_delay=0.0, name="live"):
        self.directory = Path(directory)
        self.mail_dir = self.directory / "mail"
        self.state_dir = self.directory / "sending"
        for path in (self.mail_dir, self.state_dir, self.directory / "var"):
            path.mkdir(parents=True, exist_ok=True)
        self.redis_url, self.database_url = redis_url, database_url
        self.concurrency, self.email_delay, self.name = concurrency, email_delay, name
        self.process = None
        self.started = 0

    def env(self):
        # This run's own settings only: nothing inherited may point the worker elsewhere.
        inherited = ("DJANGO_SETTINGS_MODULE", "DJANGO_ENV", "CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL")
        env = {key: value for key, value in os.environ.items() if key not in inherited}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.live_settings",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            VAR_DIR=str(self.directory / "var"),
            LIVE_MAIL_DIR=str(self.mail_dir),
            LIVE_STATE_DIR=str(self.state_dir),
            LIVE_EMAIL_DELAY=str(self.email_delay),
            SMS_FILE_PATH=str(self.directory / "sms"),
            SITE_URL="https://liaison.example.ca",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self):
        self.started += 1
        log = open(self.directory / f"worker-{self.started}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(CELERY), "-A", "config", "worker", "--loglevel=WARNING", "--pool=prefork"]
            + [f"--concurrency={self.concurrency}", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat", "-n", f"{self.name}-{self.started}@%h"],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def wait_ready(self, app, seconds=60):
        """The worker answers a ping through the broker (it consumes)."""
        node = f"{self.name}-{self.started}@"

        def answered():
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited ({self.process.returncode}):\n{self.log()}")
            try:
                replies = app.control.ping(timeout=0.5)
            except Exception:  # the broker may be away or still starting
                return False
            return any(name.startswith(node) for reply in replies for name in reply)

        if not wait_for(answered, seconds, interval=0.2):
            raise RuntimeError(f"the worker did not become ready:\n{self.log()}")

    def kill(self):
        """SIGKILL to the worker and its pool processes: what an OOM kill or `docker kill` does.
        Nothing is acknowledged or handed back."""
        _kill_group(self.process, signal.SIGKILL)

    def sending(self):
        """{pid: (addresses, started at)} of the emails the pool processes are sending now."""
        found = {}
        for marker in self.state_dir.glob("*.sending"):
            try:
                addresses, started = marker.read_text().split("\n")
                found[marker.stem] = (addresses.split(","), float(started))
            except (OSError, ValueError):
                continue  # being written or removed
        return found

    def kill_mid_send(self, *, when, seconds=60):
        """SIGKILL once `when()` is true and every pool process is in the first part of a send
        (at least a quarter of a second before it writes, so the kill cannot fall between the
        write and the commit). Returns the addresses that were in flight, or None."""

        def moment():
            if not when():
                return None
            sending, now = self.sending(), time.monotonic()
            if len(sending) == self.concurrency and all(
                now - started < self.email_delay - 0.25 for _addresses, started in sending.values()
            ):
                return sending
            return None

        sending = wait_for(moment, seconds, interval=0.02)
        if not sending:
            return None
        self.kill()
        return sorted(address for addresses, _started in sending.values() for address in addresses)

    def log(self):
        return "\n".join(
            path.read_text(errors="replace")[-3000:] for path in sorted(self.directory.glob("worker-*.log"))
        )

    def delivered(self):
        return delivered(self.mail_dir)


TO_LINE = re.compile(rb"^To: (\S+)\s*$", re.MULTILINE)


def delivered(mail_dir):
    """{address: how many emails the backend wrote for it}."""
    counts = {}
    for path in Path(mail_dir).glob("*.log"):
        for address in TO_LINE.findall(path.read_bytes()):
            counts[address.decode()] = counts.get(address.decode(), 0) + 1
    return counts


class MarkedFileBackend(filebased.EmailBackend):
    """The worker's mail server for the live tests: Django's file backend, which first says what it
    is sending in LIVE_STATE_DIR and takes LIVE_EMAIL_DELAY seconds (a slow SMTP server), so that a
    test can kill the worker while emails are in flight."""

    def send_messages(self, email_messages):
        delay = float(os.environ.get("LIVE_EMAIL_DELAY") or 0)
        marker = Path(os.environ["LIVE_STATE_DIR"]) / f"{os.getpid()}.sending"
        addresses = ",".join(address for message in email_messages for address in message.to)
        temporary = marker.with_suffix(".tmp")
        # CLOCK_MONOTONIC is one clock for every process of the machine: the test compares it with its own.
        temporary.write_text(f"{addresses}\n{time.monotonic()}")
        temporary.replace(marker)
        time.sleep(delay)
        marker.unlink(missing_ok=True)
        return super().send_messages(email_messages)


def database_url():
    """The test database as a URL a worker can use, or None when it is not PostgreSQL (SQLite's
    test database lives in this process's memory)."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        return None
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{settings['USER']}{password}@{host}{port}/{settings['NAME']}"


@contextmanager
def publishing_to(url):
    """This process's Celery app publishes to `url` (not in-process) for the time of the block,
    then goes back to what it was."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool)
    # Kombu keeps one pool per broker address for the whole process: the pools of the address we
    # go back to stay untouched (closing them would break every later test that publishes).
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield app
    finally:
        ours = app._pool
        app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved
        if ours is not None and ours is not saved[2]:
            ours.force_close_all()
