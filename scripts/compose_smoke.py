"""The production shape, proven without Docker: what docker-compose.yml runs, run here.

Reads the commands and health checks of the migrate, web, worker and beat services from
docker-compose.yml (so this script cannot drift from it), prepares the code as the Dockerfile does
(catalogues, collectstatic), then against the PostgreSQL of DATABASE_URL (a database of its own,
`liaison_smoke`, made and dropped here) and the Redis of REDIS_URL (database 9, emptied before and
after) with DJANGO_ENV=production:

 1. runs migrate, creates a clinic with open times and a pilot account with an authenticator;
 2. starts gunicorn (two workers) and beat; /ready/ answers 503 naming the worker (none yet);
 3. signs in as the pilot with the second factor (the TOTP code computed here, RFC 6238);
 4. books publicly, signed out, with an email address; no email leaves: no worker runs;
 5. starts the worker: /ready/ turns 200 and the confirmation email arrives at the SMTP server
    this script runs on loopback, so it left through the real worker;
 6. runs compose's health checks (web: /ready/, worker: celery inspect ping), reads /metrics with
    the bearer token (403 without), prints an excerpt;
 7. stops everything and checks that no process is left.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/liaison REDIS_URL=redis://127.0.0.1:63799/0 \\
        .venv/bin/python scripts/compose_smoke.py

Started by .ci/run after the tests. Exits non-zero, with the processes' logs, on any failure.
"""

import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import secrets
import shlex
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVICES = ("migrate", "web", "worker", "beat")
SMOKE_DATABASE = "liaison_smoke"
SMOKE_REDIS_DB = 9
BOOKER_EMAIL = "smoke.booking@example.ca"


class SmokeFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise SmokeFailure(message)


def step(message):
    print(f"[smoke] {message}", flush=True)


# docker-compose.yml ------------------------------------------------------------------------------


def compose_services(path=ROOT / "docker-compose.yml"):
    """{service: {"command": [...], "healthcheck": [...]}} from docker-compose.yml.

    The file writes every command and health check as a one-line JSON list (flow style), which is
    what this reads; no YAML library needed.
    """
    services, current, in_services = {}, None, False
    for line in path.read_text().splitlines():
        if re.match(r"^\S", line):
            in_services = line.startswith("services:")
            current = None
            continue
        if not in_services:
            continue
        service = re.match(r"^  ([a-z][\w-]*):\s*$", line)
        if service:
            current = services.setdefault(service.group(1), {})
            continue
        field = re.match(r"^\s+(command|test):\s*(\[.*\])\s*$", line)
        if field and current is not None:
            current["command" if field.group(1) == "command" else "healthcheck"] = json.loads(field.group(2))
    return services


def local_command(command):
    """A compose command as run here: the image's python, gunicorn and celery are the venv's."""
    if command[0] == "CMD-SHELL":
        # Compose writes a literal $ as $$.
        return ["/bin/sh", "-c", command[1].replace("$$", "$")]
    if command[0] == "CMD":
        command = command[1:]
    program = {"python": sys.executable, "gunicorn": str(BIN / "gunicorn"), "celery": str(BIN / "celery")}
    return [program.get(command[0], command[0]), *command[1:]]


# The world outside: PostgreSQL, Redis, an SMTP server -------------------------------------------


def free_port():
    reserved = {54329, 63799, 6379, 5432, 8000}
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in reserved:
            return port


def smoke_urls():
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    check(database_url.startswith("postgres"), "DATABASE_URL must point at PostgreSQL")
    check(redis_url.startswith("redis"), "REDIS_URL must point at Redis")
    database = urllib.parse.urlsplit(database_url)
    redis = urllib.parse.urlsplit(redis_url)
    return (
        database._replace(path="/postgres").geturl(),
        database._replace(path=f"/{SMOKE_DATABASE}").geturl(),
        redis._replace(path=f"/{SMOKE_REDIS_DB}").geturl(),
    )


def reset_database(maintenance_url, *, create):
    import psycopg2

    connection = psycopg2.connect(maintenance_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {SMOKE_DATABASE} WITH (FORCE)")
        if create:
            cursor.execute(f"CREATE DATABASE {SMOKE_DATABASE}")
    connection.close()


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


class Mailbox(socketserver.ThreadingTCPServer):
    """A minimal SMTP server on loopback that keeps what it receives (what Django's smtp backend
    says: EHLO, MAIL, RCPT, DATA, QUIT)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()
        super().__init__(("127.0.0.1", free_port()), _SmtpSession)

    def received(self):
        with self.lock:
            return list(self.messages)


class _SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self):
        self.reply("220 smoke ESMTP")
        envelope = {"to": []}
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 smoke")
            elif verb == "MAIL":
                envelope = {"to": []}
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data)
                with self.server.lock:
                    self.server.messages.append({**envelope, "data": b"".join(body).decode(errors="replace")})
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP...
                self.reply("250 OK")


def totp(hex_key, *, step=30, digits=6, now=None):
    """RFC 6238 (what django-otp's TOTPDevice checks), computed here as an authenticator app would."""
    counter = int((now or time.time()) // step)
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


# Processes ---------------------------------------------------------------------------------------


class Processes:
    """Each service in a session (process group) of its own, stopped as a group."""

    def __init__(self, work, env):
        self.work, self.env, self.running = work, env, {}

    def run(self, name, command, *, timeout=600, label=None):
        step(f"{name}: {label or shlex.join(command)}")
        result = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise SmokeFailure(f"{name} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, name, command):
        step(f"start {name}: {shlex.join(command)}")
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.running[name] = process
        return process

    def alive(self, name):
        return self.running[name].poll() is None

    def stop_all(self):
        for process in self.running.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 40
        for name, process in self.running.items():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                step(f"{name} did not stop on SIGTERM: killed")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        # Children (gunicorn's workers, celery's pool) go with their group; wait for the last ones.
        left = []
        for name, process in self.running.items():
            if wait_for(lambda pid=process.pid: not _group_alive(pid), 20) is False:
                left.append(name)
                os.killpg(process.pid, signal.SIGKILL)
        return left

    def logs(self):
        return {path.stem: path.read_text(errors="replace")[-4000:] for path in self.work.glob("*.log")}


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie leader counts as gone once reaped; look for live members in /proc.
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def wait_for(predicate, seconds, interval=0.25):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# HTTP, as the TLS-terminating proxy hands requests to gunicorn ------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base):
        self.base = base
        # The site's cookies are Secure (production); the proxy's HTTPS ends before gunicorn.
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "http"))
        self.jar = http.cookiejar.CookieJar(policy=policy)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        # As the proxy says: the request came in over HTTPS (CSRF then checks the Referer).
        request.add_header("X-Forwarded-Proto", "https")
        request.add_header("Referer", "https://" + urllib.parse.urlsplit(self.base).netloc + path)
        request.add_header("Accept-Language", "fr")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            return 0, {}, str(error)

    def csrf(self):
        return next((cookie.value for cookie in self.jar if cookie.name == "csrftoken"), "")

    def post(self, path, data):
        return self.request(path, {"csrfmiddlewaretoken": self.csrf(), **data})


# The scenario -------------------------------------------------------------------------------------

SETUP = r"""
import json
from datetime import datetime, time, timedelta
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from appointments.models import ClinicSettings, Location, Service, TeamResource
try:  # appointments by area (configuration, schedules, booking)
    from appointments.booking.forms import time_value
    from appointments.configuration.services import save_location
    from appointments.schedules.services import create_slot
except ImportError:
    from appointments.forms import time_value
    from appointments.services import create_slot, save_location
from portal.models import Membership, Organization, User

clinic = Organization.objects.create(name="Clinique Smoke", name_fr="Clinique Smoke", name_en="Smoke Clinic",
                                     kind="clinic_network", contact_email="clinic@example.ca")
ClinicSettings.objects.create(organization=clinic, online_booking_open=True, days_shown=14)
off = {"date_of_birth": "off", "mobile_phone": "off", "postal_code": "off", "comment": "off",
       "health_card_number": "off", "email": "required"}
service = Service.objects.create(organization=clinic, name_fr="Dose", name_en="Dose", duration_minutes=10,
                                 personal_fields=off)
location = save_location(organization=clinic, location=Location(
    name_fr="Lieu", name_en="Location", address="1 rue Main", city="Moncton", postal_code="E1C 8K6"))
team = TeamResource.objects.create(organization=clinic, name="Team")
team.locations.set([location]); team.services.set([service])
day = timezone.localdate() + timedelta(days=1)
tz = timezone.get_current_timezone()
slot = create_slot(actor=None, organization=clinic, location=location, resource=team, services=[service],
    starts_at=timezone.make_aware(datetime.combine(day, time(8, 0)), tz),
    ends_at=timezone.make_aware(datetime.combine(day, time(12, 0)), tz), per_interval=2, is_locked=False)
pilot = User.objects.create_user(email="smoke.pilot@example.ca", password=PASSWORD, first_name="Smoke",
                                 last_name="Pilot", preferred_language="fr")
Membership.objects.create(user=pilot, organization=clinic, role="appointments.pilot",
                          valid_from=timezone.localdate() - timedelta(days=1))
device = TOTPDevice.objects.create(user=pilot, name="Smoke authenticator", confirmed=True)
print(json.dumps({"clinic": clinic.pk, "service": service.pk, "location": location.pk,
                  "time": time_value(slot, slot.interval_starts()[0]), "key": device.key}))
"""


def ready(browser):
    status, _headers, body = browser.request("/ready/")
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body[:200]}


def sign_in_with_second_factor(browser, email, password, key):
    status, _headers, _body = browser.request("/accounts/login/")
    check(status == 200, f"sign-in page answered {status}")
    status, headers, _body = browser.post("/accounts/login/", {"login": email, "password": password})
    check(status == 302, f"password refused: {status}")
    # Signed in, every page sends to the second factor first.
    status, headers, _body = browser.request(urllib.parse.urlsplit(headers["Location"]).path)
    check(
        status == 302 and "/security/verify/" in headers.get("Location", ""),
        f"no second factor asked: {status}",
    )
    verify = urllib.parse.urlsplit(headers["Location"])
    status, _headers, _body = browser.request(f"{verify.path}?{verify.query}")
    check(status == 200, f"second factor page answered {status}")
    status, headers, _body = browser.post(f"{verify.path}?{verify.query}", {"code": totp(key)})
    check(
        status == 302 and "/security/" not in headers.get("Location", ""), f"second factor refused: {status}"
    )
    status, _headers, body = browser.request("/")
    check(status == 200 and "Smoke" in body, f"the home page answered {status}")
    status, _headers, _body = browser.request("/appointments/configuration/")
    check(status == 200, f"the pilot's configuration page answered {status}")


def book_publicly(base, setup):
    person = Browser(base)
    details = f"/appointments/public/{setup['clinic']}/book/{setup['service']}/{setup['location']}/details/"
    status, _headers, _body = person.request(f"{details}?time={urllib.parse.quote(setup['time'])}")
    check(status == 200, f"booking form answered {status}")
    form = {"first_name": "Alex", "last_name": "Smoke", "email": BOOKER_EMAIL, "accept_terms": "on"}
    status, headers, body = person.post(details, form)
    location = headers.get("Location", "") if headers else ""
    check(
        status == 302 and "/confirmation/" in location, f"booking refused: {status} {location} {body[:300]}"
    )
    return location.rstrip("/").rsplit("/", 1)[-1]


def metrics_excerpt(text):
    keep = (
        "liaison_public_bookings_total",
        "liaison_appointments_booked_recent",
        "liaison_messages{",
        "liaison_messages_oldest",
        "liaison_celery_queue_length",
        "liaison_celery_unacked",
        "liaison_redis_up",
        "liaison_worker_heartbeat_age_seconds",
        'liaison_http_requests_total{method="POST"',
        'liaison_http_requests_total{method="GET",status="200",view="appointments:public_details"',
        'liaison_http_request_duration_seconds_count{view="appointments:public_details"',
    )
    return [line for line in text.splitlines() if line.startswith(keep)]


def environment(work, *, database_url, redis_url, port, smtp_port, token):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "LOG_FORMAT", "SCOPING_STRICT")
    }
    env.update(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"https://127.0.0.1:{port}",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SMS_BACKEND": "portal.sms.FileBackend",
            "SMS_FILE_PATH": str(work / "sms"),
            "METRICS_TOKEN": token,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus"),
            "STATIC_ROOT": str(work / "static"),
            "VAR_DIR": str(work / "var"),
            "MEDIA_ROOT": str(work / "media"),
            "HOSTNAME": socket.gethostname(),
            # The image's python, gunicorn and celery, for the health checks' shell commands.
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare_like_the_image(processes):
    processes.run("catalogues", [sys.executable, "scripts/compile_messages.py"])
    processes.run(
        "collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    )


def scenario(processes, services, base, mailbox, token, password):
    processes.run("migrate", local_command(services["migrate"]["command"]))
    script = f"PASSWORD = {password!r}\n" + SETUP
    setup = json.loads(
        processes.run(
            "setup", [sys.executable, "manage.py", "shell", "-c", script], label="manage.py shell -c SETUP"
        ).splitlines()[-1]
    )

    processes.start("web", local_command(services["web"]["command"]))
    processes.start("beat", local_command(services["beat"]["command"]))
    browser = Browser(base)
    check(wait_for(lambda: browser.request("/health/")[0] == 200, 60), "gunicorn did not answer /health/")
    status, body = ready(browser)
    step(f"/ready/ before the worker: {status} {json.dumps(body)}")
    check(status == 503 and body.get("failing") == ["worker"], "ready should fail on the worker alone")

    sign_in_with_second_factor(browser, "smoke.pilot@example.ca", password, setup["key"])
    step("signed in with the second factor")
    number = book_publicly(base, setup)
    step(f"booked publicly: confirmation {number}")
    time.sleep(2)
    check(not mailbox.received(), "an email left without a worker: tasks are not going through the broker")

    processes.start("worker", local_command(services["worker"]["command"]))
    check(wait_for(lambda: ready(browser)[0] == 200, 90), f"/ready/ did not turn 200: {ready(browser)}")
    step(f"/ready/ with the worker: {json.dumps(ready(browser)[1])}")
    mail = wait_for(lambda: [m for m in mailbox.received() if BOOKER_EMAIL in m["to"]], 90)
    check(mail, "no confirmation email reached the SMTP server")
    subject = re.search(r"^Subject: (.*)$", mail[0]["data"], re.MULTILINE)
    subject_text = _decode_subject(subject.group(1).strip()) if subject else ""
    check(number in subject_text, f"the email's subject does not carry {number}: {subject_text!r}")
    step(f"confirmation email through the worker: {subject_text!r} to {mail[0]['to']}")

    for name in ("web", "worker"):
        command = local_command(services[name]["healthcheck"])
        processes.run(f"{name} health check", command, timeout=60, label=shlex.join(command)[:100] + " ...")
    step("compose health checks pass (web, worker)")

    check(browser.request("/metrics")[0] == 403, "/metrics answered without the token")
    status, _headers, text = browser.request("/metrics", headers={"Authorization": f"Bearer {token}"})
    check(status == 200, f"/metrics with the token answered {status}")
    check('liaison_public_bookings_total{outcome="committed"} 1.0' in text, "the booking was not counted")
    check('liaison_messages{channel="email",status="sent"}' in text, "no sent email in the metrics")
    print("[smoke] /metrics after the booking (excerpt):")
    for line in metrics_excerpt(text):
        print(f"    {line}")
    for name in ("web", "worker", "beat"):
        check(processes.alive(name), f"{name} stopped by itself")


def _decode_subject(value):
    from email.header import decode_header, make_header

    return str(make_header(decode_header(value)))


def main():
    started = time.monotonic()
    services = compose_services()
    for name in SERVICES:
        check("command" in services.get(name, {}), f"docker-compose.yml has no command for {name}")
    maintenance_url, database_url, redis_url = smoke_urls()
    work = Path(tempfile.mkdtemp(prefix="liaison-smoke."))
    port, token, password = free_port(), secrets.token_urlsafe(24), "Smoke-" + secrets.token_urlsafe(12)
    mailbox = Mailbox()
    threading.Thread(target=mailbox.serve_forever, daemon=True).start()
    env = environment(
        work,
        database_url=database_url,
        redis_url=redis_url,
        port=port,
        smtp_port=mailbox.server_address[1],
        token=token,
    )
    processes = Processes(work, env)
    failure = None
    try:
        reset_database(maintenance_url, create=True)
        flush_redis(redis_url)
        prepare_like_the_image(processes)
        scenario(processes, services, f"http://127.0.0.1:{port}", mailbox, token, password)
    except (SmokeFailure, subprocess.TimeoutExpired) as error:
        failure = error
    finally:
        left = processes.stop_all()
        mailbox.shutdown()
        if failure is not None or left:
            for name, text in processes.logs().items():
                print(f"----- {name}.log (end) -----\n{text}", file=sys.stderr)
        try:
            reset_database(maintenance_url, create=False)
            flush_redis(redis_url)
        except Exception as error:  # noqa: BLE001 (clean-up: report, keep the first failure)
            print(f"[smoke] clean-up: {error}", file=sys.stderr)
        subprocess.run(["rm", "-rf", str(work)], check=False)
    if left:
        print(f"[smoke] FAILED: processes left after stopping: {', '.join(left)}", file=sys.stderr)
        return 1
    if failure is not None:
        print(f"[smoke] FAILED: {failure}", file=sys.stderr)
        return 1
    step(f"every process stopped; compose shape passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
