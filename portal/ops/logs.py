"""Structured request logs: a request id on every line, who asked (ids only), never what they typed.

`RequestLogMiddleware` (outermost) takes the proxy's X-Request-ID when it looks like one (else makes
one), answers with it, keeps the request in a context variable for `RequestContextFilter`, and
writes one `liaison.request` line per request: method, route, view name, status and duration.

The route is the URL pattern (`appointments/public/<int:organization_id>/confirmation/<str:number>/`),
not the address: an address may carry a confirmation number. Only an address that matches no
pattern is logged as such (its path, for 404s). What a line never holds: the query string (list filters and old bookmarks may carry a name; personal
searches keep theirs in the session, portal.search), form data, names, email addresses or health
details. People appear by user id and organization id only. The JSON formatter also drops the
`request` object Django's own loggers attach, whose text is the full address with its query string.
"""

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

logger = logging.getLogger("liaison.request")

_request = contextvars.ContextVar("liaison_log_request", default=None)
_request_id = contextvars.ContextVar("liaison_log_request_id", default=None)

HEADER = "X-Request-ID"
# An id from the proxy is kept only when it is short and plain (never a place to smuggle text).
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id():
    return _request_id.get()


# Celery: the id of the request that queued a task travels in the message's headers, so that the
# worker's lines for that task carry the same request_id as the web lines that caused it.
TASK_HEADER = "liaison_request_id"


def add_request_id_to_task(headers=None, **kwargs):
    """before_task_publish: stamp the message with the current request's id (if any)."""
    request_id = _request_id.get()
    if request_id and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def take_request_id_from_task(task=None, **kwargs):
    """task_prerun: the worker's log lines for this task carry the id it was queued with."""
    offered = getattr(getattr(task, "request", None), TASK_HEADER, None)
    task._liaison_request_id_token = _request_id.set(
        offered if isinstance(offered, str) and _VALID_ID.match(offered) else None
    )


def drop_request_id_of_task(task=None, **kwargs):
    """task_postrun: back to no request id between tasks."""
    token = getattr(task, "_liaison_request_id_token", None)
    if token is not None:
        _request_id.reset(token)
        task._liaison_request_id_token = None


def _user_of(request):
    user = getattr(request, "user", None)
    if user is None:
        return None
    # Never evaluate a lazy user from inside a log call (that would be a query); the
    # authentication middleware evaluates it for every request anyway.
    if getattr(user, "_wrapped", None) is empty:
        return None
    return user if getattr(user, "is_authenticated", False) else None


def who(request):
    """(user id, organization id) of the request, from what the request already loaded."""
    user = _user_of(request) if request is not None else None
    if user is None:
        return None, None
    # The active membership is cached on the person once a capability check has read it
    # (portal.selectors.active_membership); a log line never adds a query of its own.
    membership = getattr(user, "_active_membership", None)
    return user.pk, membership.organization_id if membership else None


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id and organization_id to every record (None outside a request)."""

    def filter(self, record):
        # Django logs a request's 4xx/5xx line after the middleware has returned: it hands the
        # request over itself.
        request = getattr(record, "request", None) or _request.get()
        user_id, organization_id = who(request)
        record.request_id = getattr(request, "request_id", None) or _request_id.get()
        if not hasattr(record, "user_id"):
            record.user_id = user_id
        if not hasattr(record, "organization_id"):
            record.organization_id = organization_id
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line; Django's `request` attribute (full URL with query) left out."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"})
        super().__init__(*args, **kwargs)


def _route(request):
    """(route pattern, view name), or (path, None) for an address that matched no pattern."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return request.path[:200], None
    return "/" + match.route, match.view_name


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        request_id = offered if _VALID_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        id_token, request_token = _request_id.set(request_id), _request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers[HEADER] = request_id
            user_id, organization_id = who(request)
            route, view = _route(request)
            logger.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,  # never the query string, never an object's number
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user_id,
                    "organization_id": organization_id,
                },
            )
            return response
        finally:
            _request_id.reset(id_token)
            _request.reset(request_token)
