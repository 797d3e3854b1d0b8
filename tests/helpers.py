"""Helpers every app's tests use: signed-in clients, query counts, the second factor."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from portal.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from tests.factories import totp_device


def verified_client(user, *, membership=None, client=None):
    """A client signed in as `user`, past the second factor, optionally in a chosen role."""
    client = client or Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    if membership is not None:
        session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
    session.save()
    return client


def current_code(device):
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def assert_constant_queries(client, url, add_rows, *, small=1, large=50):
    """A list page costs the same number of queries for `small` and for `large` rows.

    `add_rows(n)` creates n more rows that the page lists.
    """
    add_rows(small)
    client.get(url)  # warm-up: the first request of a session also writes the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    add_rows(large - small)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert len(few) == len(many), (
        f"{url}: {len(few)} queries for {small} rows but {len(many)} for {large}:\n"
        + "\n".join(q["sql"] for q in many.captured_queries)
    )
    return len(many)


def search(client, path, data=None):
    """Search a list page as its form does (portal.search): the personal fields by POST, kept in
    the session, the shareable ones in the query string. Returns the list page's response.

    The POST is a new search: personal fields left out of `data` are forgotten. The redirect it
    answers must carry none of the personal values typed.
    """
    from urllib.parse import parse_qsl, urlsplit

    from django.urls import resolve

    address = urlsplit(path)
    query = dict(parse_qsl(address.query, keep_blank_values=True))
    query.update(data or {})
    fields = getattr(resolve(address.path).func, "personal_fields", ())
    personal = {name: value for name, value in query.items() if name in fields}
    shareable = {name: value for name, value in query.items() if name not in fields}
    posted = client.post(address.path, {**personal, "_search": "1"})
    assert posted.status_code == 302, posted.status_code
    left = dict(parse_qsl(urlsplit(posted["Location"]).query, keep_blank_values=True))
    assert not set(left) & set(fields), posted["Location"]
    return client.get(address.path, shareable)


def searched_address(client, url):
    """`url` without its personal parameters, which are searched first (kept in the session).

    For measurements of a list as a person's search leaves it: the GET of the clean address.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit

    from django.urls import resolve

    address = urlsplit(url)
    fields = getattr(resolve(address.path).func, "personal_fields", ())
    query = parse_qsl(address.query, keep_blank_values=True)
    if not any(name in fields for name, _value in query):
        return url
    search(client, url)
    shareable = urlencode([(name, value) for name, value in query if name not in fields])
    return address.path + (f"?{shareable}" if shareable else "")
