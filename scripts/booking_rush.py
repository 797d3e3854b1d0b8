"""Booking rush against the real server: gunicorn, PostgreSQL and Redis on this machine.

Starts a throw-away PostgreSQL cluster and Redis on loopback (or uses the ones given with
--database-url / --redis-url), a clinic of --teams teams (3) x --times times (24) with --places places per
time, served by --instances gunicorn instances (1; round robin over their ports), then
many clients racing through the public booking path at once (each: open the booking form, then
book). Prints committed bookings per second, latency percentiles of the booking request, errors,
oversold places and duplicate persons (more than one active appointment for one person and
service; both must be 0), the CPU-ms per committed booking spent by gunicorn and by PostgreSQL, and
the same server's rate for a trivial page (/health/) measured right after, with the ratio of
the two rates. Run by `make bench`.

    .venv/bin/python scripts/booking_rush.py [--clients 32] [--attempts 600] [--places 2]
    --places 2: 144 places for 600 people (the race); --places 40: everyone books;
    --clients 100 --teams 1 --times 20 --places 1: 100 clients racing for 20 places;
    --instances 2: two gunicorn on two ports sharing one PostgreSQL and Redis.

Figures are indicative: clients, gunicorn and PostgreSQL share the machine's cores (the load
average is printed next to them). With --database-url the PostgreSQL CPU is the whole server's
(its postmaster and backends), other users of that server included.
"""

import argparse
import http.cookiejar
import json
import os
import random
import shutil
import socket
import statistics
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
PYTHON = sys.executable

SETUP = r"""
import json
from datetime import datetime, time, timedelta
from django.utils import timezone
from appointments.configuration import services as configuration_services
from appointments.schedules import services as schedules_services
from appointments.models import ClinicSettings, Location, Service, TeamResource
from appointments.booking.forms import time_value
from portal.models import Organization

clinic = Organization.objects.create(name="Rush", name_fr="Rush", name_en="Rush", kind="clinic_network")
ClinicSettings.objects.create(organization=clinic, online_booking_open=True, days_shown=14)
service = Service.objects.create(organization=clinic, name_fr="Dose", name_en="Dose", duration_minutes=10,
                                 personal_fields={"date_of_birth": "optional", "email": "off", "mobile_phone": "off",
                                                  "postal_code": "off", "comment": "off", "health_card_number": "off"})
location = configuration_services.save_location(organization=clinic, location=Location(
    name_fr="Lieu", name_en="Location", address="1 rue Main", city="Moncton", postal_code="E1C 8K6"))
day = timezone.localdate() + timedelta(days=1)
PLACES = int(__import__("os").environ["RUSH_PLACES"])
TEAMS = int(__import__("os").environ.get("RUSH_TEAMS", "3"))
TIMES = int(__import__("os").environ.get("RUSH_TIMES", "24"))
tz = timezone.get_current_timezone()
times = []
for index in range(TEAMS):
    team = TeamResource.objects.create(organization=clinic, name=f"Team {index}")
    team.locations.set([location]); team.services.set([service])
    slot = schedules_services.create_slot(actor=None, organization=clinic, location=location, resource=team, services=[service],
        starts_at=timezone.make_aware(datetime.combine(day, time(8, 0)), tz),
        ends_at=timezone.make_aware(datetime.combine(day, time(8, 0)), tz) + timedelta(minutes=10 * TIMES),
        per_interval=PLACES, is_locked=False)
    times += [time_value(slot, moment) for moment in slot.interval_starts()]
print(json.dumps({"clinic": clinic.pk, "service": service.pk, "location": location.pk, "times": times,
                  "per_team": TIMES, "places": TEAMS * TIMES * PLACES}))
"""

OVERSOLD = r"""
from django.db.models import Count
from appointments.models import Appointment, HOLDING_STATUSES
rows = (Appointment.objects.filter(status__in=HOLDING_STATUSES).values("slot_id", "starts_at", "slot__per_interval")
        .annotate(n=Count("pk")))
# Duplicate persons: more than one active appointment for one person and service (the person rule;
# an empty key, names only, is not a person it applies to: appointments.models.person_key).
persons = (Appointment.objects.filter(status__in=HOLDING_STATUSES).exclude(person_key="")
           .values("service_id", "person_key")
           .annotate(n=Count("pk")).filter(n__gt=1))
print(sum(max(row["n"] - row["slot__per_interval"], 0) for row in rows), Appointment.objects.count(),
      sum(row["n"] - 1 for row in persons))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_postgres(work):
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    data = work / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        shutil.chown(work, "postgres")
    port = free_port()
    run(as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]))
    run(
        as_postgres(
            [
                str(pg_bin / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(data / "log"),
                "-w",
                "-o",
                f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off",
                "start",
            ]
        )
    )
    run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "CREATE DATABASE rush"])
    return pg_bin, data, port


def cpu_seconds(pids, children=False):
    """User + system CPU of these processes (and of their waited-for children: exited workers and
    backends), in seconds, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state is fields[0], utime/stime are 12/13, cutime/cstime 14/15.
        total += int(fields[11]) + int(fields[12])
        if children:
            total += int(fields[13]) + int(fields[14])
    return total / ticks


def process_tree(root):
    """The pid `root` and its direct children (gunicorn's master and workers, postmaster and backends)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == root:
                children.append(int(entry.name))
    return [root], children


def tree_cpu(root):
    """CPU of a master process, its live children and the children it already reaped."""
    if root is None:
        return 0.0
    masters, children = process_tree(root)
    return cpu_seconds(masters, children=True) + cpu_seconds(children)


def postmaster_pid():
    """The pid of the local PostgreSQL server (the postgres process whose parent is not one), or None."""
    commands = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                commands[int(entry.name)] = (
                    stat[stat.index("(") + 1 : stat.rindex(")")],
                    int(stat.rsplit(")", 1)[1].split()[1]),
                )
            except (OSError, IndexError, ValueError):
                continue
    for pid, (command, parent) in commands.items():
        if command in ("postgres", "postmaster") and commands.get(parent, ("",))[0] not in (
            "postgres",
            "postmaster",
        ):
            return pid
    return None


def manage(env, *args, stdin=None):
    return run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin).stdout


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.headers.get("Location", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read()

    def csrf(self):
        return next((cookie.value for cookie in self.jar if cookie.name == "csrftoken"), "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)] if ordered else 0.0


def rush(bases, setup, clients, attempts, tries_per_person=1):
    details = f"/appointments/public/{setup['clinic']}/book/{setup['service']}/{setup['location']}/details/"
    # Everyone wants the morning's first quarter of each team's times: far more people than places there.
    per_team = setup["per_team"]
    popular = [
        choice
        for start in range(0, len(setup["times"]), per_team)
        for choice in setup["times"][start : start + max(per_team // 4, 1)]
    ]
    results, lock = [], threading.Lock()
    counter = iter(range(attempts))

    def worker():
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            # With several instances, the people go to each in turn (a load balancer's round robin).
            client = Client(bases[index % len(bases)])
            choice = random.choice(popular if random.random() < 0.7 else setup["times"])
            status, _location, _body = client.request(f"{details}?time={urllib.parse.quote(choice)}")
            if status == 302:
                # The time filled up before the form opened: sent back to the times, nothing booked.
                with lock:
                    results.append(("full", 0.0))
                continue
            if status != 200:
                with lock:
                    results.append(("error", 0.0))
                continue
            # A person (names and date of birth: appointments.models.person_key; no email, so nothing
            # is sent) tries tries_per_person times, as from two tabs: the rule of one active
            # appointment per person and service decides.
            person = index // tries_per_person
            form = {
                "csrfmiddlewaretoken": client.csrf(),
                "first_name": f"P{person}",
                "last_name": "Rush",
                "date_of_birth": "1980-01-01",
                "accept_terms": "on",
            }
            start = time.perf_counter()
            status, location, _body = client.request(details, form)
            elapsed = (time.perf_counter() - start) * 1000
            if status == 302 and "/confirmation/" in location:
                outcome = "booked"
            elif status in (200, 302):
                outcome = "refused"  # "no longer available": sent back to the times, or the form again
            else:
                outcome = "error"
            with lock:
                results.append((outcome, elapsed))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def trivial(bases, clients, requests):
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies, errors = [], 0

    def worker(number):
        nonlocal errors
        client = Client(bases[number % len(bases)])
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            start = time.perf_counter()
            status, _location, _body = client.request("/health/")
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                errors += status != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def report(options, setup, results, seconds, cpu, health, invariants, stored):
    """Print the run's figures; the number of errors. `invariants`: (oversold places, duplicate
    persons: active appointments beyond one per person and service), both must be 0."""
    server_cpu, database_cpu = cpu
    oversold, duplicates = invariants
    booked = [ms for outcome, ms in results if outcome == "booked"]
    refused = [ms for outcome, ms in results if outcome == "refused"]
    errors = sum(1 for outcome, _ms in results if outcome == "error")
    full = sum(1 for outcome, _ms in results if outcome == "full")
    timings = booked + refused
    latencies, health_errors, health_seconds = health
    load = os.getloadavg()
    print(
        f"\nbooking rush: {options.attempts} people, {options.clients} at once, {setup['places']} places, "
        f"{options.instances} gunicorn instance(s) of {options.workers} workers, PostgreSQL, Redis"
    )
    print(
        f"  committed bookings: {len(booked)} ({len(booked) / seconds:.1f} per second), "
        f"refused 'no longer available': {len(refused)} when booking + {full} before the form, "
        f"errors: {errors}, oversold places: {oversold}, duplicate persons: {duplicates}"
    )
    print(
        f"  booking request latency: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"p99 {percentile(timings, 0.99):.1f} ms ({len(results) / seconds:.1f} people served per second)"
    )
    print(
        f"  trivial page (/health/): {len(latencies) / health_seconds:.1f} requests per second, "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, errors: {health_errors}"
    )
    committed = max(len(booked), 1)
    health_rate = len(latencies) / health_seconds
    booking_rate = len(booked) / seconds
    print(
        f"  CPU per committed booking (form + post, refusals included): gunicorn "
        f"{server_cpu * 1000 / committed:.1f} ms + PostgreSQL {database_cpu * 1000 / committed:.1f} ms = "
        f"{(server_cpu + database_cpu) * 1000 / committed:.1f} ms"
    )
    print(
        f"  committed bookings/s / /health/ requests/s: {booking_rate:.1f} / {health_rate:.1f} = "
        f"{booking_rate / health_rate:.3f}"
    )
    print(
        f"  appointments stored: {stored}; connections kept {options.conn_max_age} s; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (figures are indicative: a shared machine)"
    )
    return errors


def print_metrics(base, options):
    """With --metrics: /metrics as an operator would read it after the rush (loopback: no token)."""
    if not options.metrics:
        return
    with urllib.request.urlopen(f"{base}/metrics") as response:
        text = response.read().decode()
    print("\n/metrics after the rush (Liaison's series, histogram buckets left out):")
    for line in text.splitlines():
        if line.startswith("liaison_") and "_bucket{" not in line:
            print(f"  {line}")


def parse_options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--tries-per-person",
        type=int,
        default=1,
        help="attempts by each person (2: everyone books twice at once; duplicate persons must stay 0)",
    )
    parser.add_argument("--attempts", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--places", type=int, default=2, help="places per time (--teams x --times times)")
    parser.add_argument("--teams", type=int, default=3, help="teams (one slot each) at the location")
    parser.add_argument("--times", type=int, default=24, help="10-minute times per team, from 8:00")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="gunicorn instances on as many ports, sharing PostgreSQL and Redis (the scale-out shape)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="seconds a database connection is kept open (production's default: 60; 0 = one per request)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty PostgreSQL database to use instead of a throw-away cluster",
    )
    parser.add_argument("--redis-url", default="", help="a Redis to use instead of a throw-away one")
    parser.add_argument(
        "--metrics",
        action="store_true",
        help="print the server's /metrics (Liaison's own series) after the rush",
    )
    return parser.parse_args()


def start_servers(options, env, ports, work):
    """gunicorn on each port (the production settings), ready to answer /health/."""
    servers = []
    for number, port in enumerate(ports):
        servers.append(
            subprocess.Popen(
                [
                    str(Path(PYTHON).parent / "gunicorn"),
                    # The production settings (config/gunicorn.py: metrics added up over the workers).
                    "-c",
                    "config/gunicorn.py",
                    "config.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    str(options.workers),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                # Each instance its own metrics folder (gunicorn empties it when it starts).
                env={**env, "PROMETHEUS_MULTIPROC_DIR": str(work / f"prometheus-{number}")},
            )
        )
    for port in ports:
        for _attempt in range(100):
            try:
                if Client(f"http://127.0.0.1:{port}").request("/health/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
    return servers


def main():
    options = parse_options()
    needs_local = not (options.database_url and options.redis_url)
    if needs_local and (
        not shutil.which("redis-server") or not list(Path("/usr/lib/postgresql").glob("*/bin"))
    ):
        print(
            "booking rush: needs PostgreSQL and redis-server installed (apt-get install postgresql redis-server)"
        )
        return 0
    work = Path(tempfile.mkdtemp(prefix="liaison-rush-"))
    os.chmod(work, 0o755)
    pg_bin = data = redis_port = None
    servers = []
    try:
        if options.database_url:
            database_url = options.database_url
            pg_pid = postmaster_pid()
        else:
            pg_bin, data, pg_port = start_postgres(work)
            database_url = f"postgres://postgres@127.0.0.1:{pg_port}/rush"
            pg_pid = int((data / "postmaster.pid").read_text().split()[0])
        if not options.redis_url:
            redis_port = free_port()
        redis_url = options.redis_url or f"redis://127.0.0.1:{redis_port}/0"
        if not options.redis_url:
            run(
                [
                    "redis-server",
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--daemonize",
                    "yes",
                    "--dir",
                    str(work),
                    "--logfile",
                    str(work / "redis.log"),
                ]
            )
        web_ports = [free_port() for _instance in range(options.instances)]
        web_port = web_ports[0]
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CONN_MAX_AGE": str(options.conn_max_age),
            "RUSH_PLACES": str(options.places),
            "RUSH_TEAMS": str(options.teams),
            "RUSH_TIMES": str(options.times),
            "DEBUG": "False",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{web_port}",
            "VAR_DIR": str(work / "var"),
            "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus"),
            # Every client of the rush comes from 127.0.0.1: the per-address limit would refuse them.
            "APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR": "1000000",
        }
        manage(env, "migrate", "--noinput", "-v", "0")
        if options.database_url:
            # A database of an earlier run: emptied (and its Redis too), so every run starts alike.
            manage(env, "flush", "--noinput", "-v", "0")
        if options.redis_url:
            subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], capture_output=True)
        setup = json.loads(manage(env, "shell", stdin=SETUP).strip().splitlines()[-1])
        servers = start_servers(options, env, web_ports, work)
        bases = [f"http://127.0.0.1:{port}" for port in web_ports]
        base = bases[0]

        def servers_cpu():
            return sum(tree_cpu(server.pid) for server in servers)

        server_before, database_before = servers_cpu(), tree_cpu(pg_pid)
        results, seconds = rush(bases, setup, options.clients, options.attempts, options.tries_per_person)
        server_cpu, database_cpu = servers_cpu() - server_before, tree_cpu(pg_pid) - database_before
        oversold, stored, duplicates = map(
            int, manage(env, "shell", stdin=OVERSOLD).strip().splitlines()[-1].split()
        )
        health = trivial(bases, options.clients, 3000)
        errors = report(
            options,
            setup,
            results,
            seconds,
            (server_cpu, database_cpu),
            health,
            (oversold, duplicates),
            stored,
        )
        print_metrics(base, options)
        return 1 if oversold or duplicates or errors else 0
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        if redis_port:
            subprocess.run(["redis-cli", "-p", str(redis_port), "shutdown", "nosave"], capture_output=True)
        if data is not None:
            subprocess.run(
                as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
