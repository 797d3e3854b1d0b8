"""A fair waiting room in front of an organization's public path (issue 16).

When more people arrive than the admission rate the organization set (visitors per minute), each
newcomer takes a ticket and waits on a page that refreshes by itself; tickets are admitted in the
order they were taken. The line is two numbers per organization:

- `issued`: tickets given so far (ticket n is the n-th arrival);
- `served`: how many tickets may be in, a count that grows with time at the admission rate, never
  more than `issued` + a small burst (so that on a quiet day nobody waits at all).

Ticket n is in as soon as n <= served: served only grows, so no ticket is ever admitted before an
earlier one (first come, first served), and every ticket is admitted in time (nobody is lost, a
ticket lives in its holder's signed cookie, not in a server list that could drop it).

Where the numbers live: Redis (one atomic script per arrival, a read per refresh) when REDIS_URL
is set; the organization's WaitingRoom row (updated under its row lock) otherwise, and whenever
Redis does not answer. If neither answers, people are let in: the line protects the booking, it
must never be what stops it (fail open).

Once in, a visitor holds an admission (a signed cookie) for ADMISSION seconds, renewed by every
step they take; a form sent after it lapsed (a slow typist) is still let through within GRACE, so
nobody is sent back to the line mid-form. Signed-in people (staff) never wait.

Everything reads the clock through timezone.now(), so tests travel with time-machine.
"""

import logging
import math
import secrets
import time
from dataclasses import dataclass
from functools import wraps

import redis
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

logger = logging.getLogger("portal.waiting_room")

ADMISSION = 20 * 60  # seconds an admission lasts without any step taken
RENEW_AFTER = 60  # an admission older than this is re-signed by the next step
GRACE = 2 * 60 * 60  # a form sent this long after its admission lapsed is still let through
BURST_SECONDS = 5  # a quiet line lets this many seconds' worth of arrivals in at once
TICKET_LIFETIME = 24 * 60 * 60
CONFIG_SECONDS = 15  # the setting is cached this long (saving it forgets the cached copy)
POLL_HEADER = "X-Waiting-Room-Poll"
_SALT = "portal.waiting_room"
_KEY_TTL = 24 * 60 * 60


@dataclass(frozen=True)
class Config:
    is_on: bool
    per_minute: int


@dataclass(frozen=True)
class Line:
    issued: int
    served: float
    epoch: str

    @property
    def in_count(self) -> int:
        # Sums of thirds and sixths of a ticket must reach the next whole ticket on time.
        return math.floor(self.served + 1e-6)

    def admits(self, number: int) -> bool:
        return number <= self.in_count

    def ahead_of(self, number: int) -> int:
        """The ticket's place: 1 when it is the next one in."""
        return max(number - self.in_count, 1)

    @property
    def length(self) -> int:
        return max(self.issued - self.in_count, 0)


class Unavailable(Exception):
    """Neither Redis nor the database could keep the line: let people in."""


def _now() -> float:
    return timezone.now().timestamp()


def _burst(per_minute: int) -> float:
    return max(1.0, per_minute * BURST_SECONDS / 60)


def _advance(issued: int, served: float, at: float, now: float, per_minute: int) -> float:
    return min(issued + _burst(per_minute), served + max(0.0, now - at) * per_minute / 60)


# The setting ------------------------------------------------------------------------------------


def _config_key(organization_id) -> str:
    return f"waiting_room:config:{organization_id}"


def config(organization_id) -> Config:
    """The organization's setting (cached a few seconds): off when it has none."""
    key = _config_key(organization_id)
    cached = cache.get(key)
    if cached is not None:
        return Config(*cached)
    from portal.models import WaitingRoom

    try:
        row = WaitingRoom.objects.for_organization(organization_id).values_list(
            "is_on", "per_minute"
        ).first() or (False, 0)
    except DatabaseError:
        return Config(False, 0)  # fail open: the booking pages will say what is wrong
    cache.set(key, tuple(row), CONFIG_SECONDS)
    return Config(*row)


def forget(organization_id) -> None:
    cache.delete(_config_key(organization_id))


@transaction.atomic
def configure(*, organization, is_on: bool, per_minute: int):
    """The organization's setting (the line's counters are kept: a ticket keeps its place)."""
    from portal.models import WaitingRoom

    room, _created = WaitingRoom.objects.for_organization(organization).get_or_create(
        organization=organization
    )
    room = WaitingRoom.objects.for_organization(organization).select_for_update().get(pk=room.pk)
    if room.per_minute != per_minute:
        # The admissions due so far are counted at the old rate, the next ones at the new rate.
        now = _now()
        room.served = _advance(room.issued, room.served, room.served_at, now, room.per_minute)
        room.served_at = now
        _redis_checkpoint(organization.pk, room.per_minute, now)
    room.is_on, room.per_minute = is_on, per_minute
    room.save(update_fields=["is_on", "per_minute", "served", "served_at"])
    forget(organization.pk)
    transaction.on_commit(lambda: forget(organization.pk))  # and any copy read meanwhile
    return room


# Redis ------------------------------------------------------------------------------------------

# KEYS: issued, served, served_at, epoch. ARGV: now, per minute, burst, take (1/0), a new epoch.
_SCRIPT = """
local issued = tonumber(redis.call('GET', KEYS[1]) or '0')
local served = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = tonumber(redis.call('GET', KEYS[3]) or '0')
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local epoch = redis.call('GET', KEYS[4])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[4], epoch, 'EX', ARGV[6])
end
local elapsed = now - at
if elapsed < 0 then elapsed = 0 end
served = math.min(issued + burst, served + elapsed * rate / 60)
if ARGV[4] == '1' then
  issued = issued + 1
  redis.call('SET', KEYS[1], issued, 'EX', ARGV[6])
  redis.call('SET', KEYS[2], string.format('%.6f', served), 'EX', ARGV[6])
  redis.call('SET', KEYS[3], string.format('%.6f', now), 'EX', ARGV[6])
  redis.call('EXPIRE', KEYS[4], ARGV[6])
elseif ARGV[4] == 'checkpoint' then
  redis.call('SET', KEYS[2], string.format('%.6f', served), 'EX', ARGV[6])
  redis.call('SET', KEYS[3], string.format('%.6f', now), 'EX', ARGV[6])
end
return {tostring(issued), string.format('%.6f', served), epoch}
"""

_clients: dict[str, redis.Redis] = {}


def _redis():
    url = settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        # Short timeouts: a Redis that hangs must not hold the public path (the database takes over).
        client = redis.Redis.from_url(url, socket_connect_timeout=0.3, socket_timeout=0.3)
        _clients[url] = client
    return client


def _keys(organization_id):
    base = f"liaison:waiting_room:{organization_id}"
    return [f"{base}:issued", f"{base}:served", f"{base}:served_at", f"{base}:epoch"]


def _redis_line(client, organization_id, per_minute, *, take) -> Line:
    issued, served, epoch = client.eval(
        _SCRIPT,
        4,
        *_keys(organization_id),
        f"{_now():.6f}",
        per_minute,
        _burst(per_minute),
        take,
        "r" + secrets.token_hex(6),
        _KEY_TTL,
    )
    return Line(int(issued), float(served), epoch.decode() if isinstance(epoch, bytes) else str(epoch))


def _redis_checkpoint(organization_id, per_minute, now):
    client = _redis()
    if client is None:
        return
    try:
        _redis_line(client, organization_id, per_minute, take="checkpoint")
    except redis.RedisError:
        pass


# The database (no Redis, or Redis away) -----------------------------------------------------------


def _database_line(organization_id, per_minute, *, take) -> Line:
    from portal.models import WaitingRoom

    rooms = WaitingRoom.objects.for_organization(organization_id)
    try:
        with transaction.atomic():
            if take:
                room = rooms.select_for_update().first()
            else:
                room = rooms.first()
            if room is None:
                raise Unavailable("no waiting room row")
            now = _now()
            served = _advance(room.issued, room.served, room.served_at, now, per_minute)
            issued, epoch = room.issued, room.epoch
            if take:
                issued, epoch = issued + 1, epoch or _new_db_epoch()
                rooms.filter(pk=room.pk).update(issued=issued, served=served, served_at=now, epoch=epoch)
            return Line(issued, served, epoch)
    except DatabaseError as error:
        raise Unavailable(str(error)) from error


def _new_db_epoch():
    return "d" + secrets.token_hex(6)


# After Redis failed, this process goes straight to the database for a few seconds: a Redis that
# hangs would otherwise cost every newcomer its timeout.
REDIS_PAUSE = 5.0
_redis_paused_until = 0.0


def _line(organization_id, per_minute, *, take) -> Line:
    global _redis_paused_until
    client = _redis()
    if client is not None and time.monotonic() >= _redis_paused_until:
        try:
            return _redis_line(client, organization_id, per_minute, take="1" if take else "0")
        except redis.RedisError as error:
            _redis_paused_until = time.monotonic() + REDIS_PAUSE
            logger.warning("Waiting room: Redis unavailable, the database keeps the line: %s", error)
    return _database_line(organization_id, per_minute, take=take)


def length(organization_id) -> int:
    """People in the organization's line now (0 when it is off or cannot be read)."""
    setting = config(organization_id)
    if not setting.is_on:
        return 0
    try:
        return _line(organization_id, setting.per_minute, take=False).length
    except Unavailable:
        return 0


def total_length() -> float | None:
    """Every organization's line, for the metrics gauge (None, so no sample, if unreadable)."""
    from portal.models import WaitingRoom

    ids = WaitingRoom.objects.scoped("metrics: every organization's line").filter(is_on=True)
    try:
        return float(sum(length(pk) for pk in ids.values_list("organization_id", flat=True)))
    except DatabaseError:
        return None


# A visitor --------------------------------------------------------------------------------------


def cookie_name(organization_id) -> str:
    return f"line_{organization_id}"


@dataclass
class Visit:
    admitted: bool
    position: int = 0
    minutes: int = 0
    refresh: int = 0
    cookie: dict | None = None  # what to store in the visitor's cookie (None: leave it)

    @property
    def text(self) -> str:
        return ngettext(
            "You are in line: position %(position)s, about %(minutes)s minute.",
            "You are in line: position %(position)s, about %(minutes)s minutes.",
            self.minutes,
        ) % {"position": self.position, "minutes": self.minutes}

    def apply(self, response, organization_id, path="/"):
        if self.cookie is not None:
            response.set_cookie(
                cookie_name(organization_id),
                signing.dumps(self.cookie, salt=_SALT, compress=True),
                max_age=TICKET_LIFETIME,
                path=path,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _read(request, organization_id):
    raw = request.COOKIES.get(cookie_name(organization_id))
    if not raw:
        return {}
    try:
        value = signing.loads(raw, salt=_SALT, max_age=TICKET_LIFETIME)
    except signing.BadSignature:
        return {}
    return value if isinstance(value, dict) and value.get("o") == organization_id else {}


def _admitted(organization_id, now, since=None):
    return Visit(admitted=True, cookie={"o": organization_id, "a": since or now, "r": now})


def visit(request, organization_id) -> Visit:
    """Is this visitor in, or where are they in the line? Never raises for a store that is away."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Visit(admitted=True)
    now = _now()
    held = _read(request, organization_id)
    if "r" in held:  # admitted before: renewed by each step
        renewed = float(held["r"])
        if now < renewed + ADMISSION or (request.method == "POST" and now < renewed + ADMISSION + GRACE):
            if now - renewed < RENEW_AFTER:
                return Visit(admitted=True)
            return _admitted(organization_id, now, since=held.get("a"))
    setting = config(organization_id)
    if not setting.is_on:
        return _admitted(organization_id, now)
    try:
        number = held.get("n")
        if number is not None:
            line = _line(organization_id, setting.per_minute, take=False)
            if held.get("e") != line.epoch:
                # A ticket of a line that is gone (Redis emptied, or the other store): it waited, let it in.
                return _admitted(organization_id, now)
            ticket = None
        else:
            line = _line(organization_id, setting.per_minute, take=True)
            number = line.issued
            ticket = {"o": organization_id, "n": number, "e": line.epoch}
    except Unavailable as error:
        logger.warning("Waiting room: no store answered, visitor let in: %s", error)
        return _admitted(organization_id, now)
    if line.admits(number):
        return _admitted(organization_id, now)
    position = line.ahead_of(number)
    seconds = position * 60 / setting.per_minute
    return Visit(
        admitted=False,
        position=position,
        minutes=max(1, math.ceil(seconds / 60)),
        refresh=int(min(max(seconds, 5), 30)),
        cookie=ticket,
    )


def line_for(template, context=None, cookie_path=None):
    """Decorator of a public view taking `organization_id`: the line page until the visitor is in.

    `context(organization_id)` gives what the template shows besides the position (a name);
    `cookie_path(organization_id)` where the visitor's ticket is sent (all the public path's
    steps); a request carrying the POLL_HEADER (the page's script) gets the position as JSON."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            organization_id = kwargs["organization_id"]
            found = visit(request, organization_id)
            polled = request.headers.get(POLL_HEADER) == "1"
            if found.admitted:
                response = JsonResponse({"admitted": True}) if polled else view(request, *args, **kwargs)
            elif polled:
                response = JsonResponse(
                    {
                        "admitted": False,
                        "position": found.position,
                        "minutes": found.minutes,
                        "refresh": found.refresh,
                        "text": found.text,
                    }
                )
            else:
                extra = context(organization_id) if context else {}
                response = render(
                    request,
                    template,
                    {**extra, "organization_id": organization_id, "line": found, "poll_header": POLL_HEADER},
                )
            if not found.admitted:
                response["Cache-Control"] = "no-store"
                response["Retry-After"] = str(found.refresh)
            path = cookie_path(organization_id) if cookie_path else "/"
            return found.apply(response, organization_id, path=path)

        return wrapped

    return decorate
