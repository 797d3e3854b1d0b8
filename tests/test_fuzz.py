"""No input a person can type answers 5xx: every form of every registered page, posted with hostile
values (very long text, NUL bytes and markup, SQL-ish text, ids too large for any column, far
dates, a bare word as `next`), answers with a page or a redirect, never a server error.

One demo load serves the whole walk; each page's posts run in a savepoint that is rolled back, so
one form's effects never change what the next page shows.
"""

from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client

from portal.demo import load_all_demo_data
from portal.models import Membership
from tests.helpers import verified_client
from tests.registry import PAGES

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "long": "é" * 5000,
    "nul-and-markup": "a\x00<script>alert(1)</script>",
    "sql": "' OR 1=1; DROP TABLE portal_user; --",
    "huge-id": "99999999999999999999",
    "far-date": "9999-12-31",
    "negative": "-1",
}
# Forms that end the session or switch language: posting them says nothing about input handling.
SKIPPED_ACTIONS = ("/accounts/logout/", "/language/")


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name → [kind, value, options])."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._form = {"action": attrs.get("action") or "", "fields": {}}
                self.forms.append(self._form)
            return
        if self._form is None or not attrs.get("name"):
            if tag == "option" and self._select is not None:
                self._select.append(attrs.get("value", ""))
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            self._form["fields"].setdefault(name, [kind, attrs.get("value", "")])
        elif tag == "textarea":
            self._form["fields"].setdefault(name, ["text", ""])
        elif tag == "select":
            self._select = []
            self._form["fields"].setdefault(name, ["select", self._select])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _hostile(fields, payload):
    data = {}
    for name, (kind, value) in fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        if name == "next":
            data[name] = "home"
        elif kind == "hidden":
            # Ids of the record the form acts on: keep them, except for the huge-id probe.
            data[name] = payload if payload == PAYLOADS["huge-id"] else value
        elif kind in ("checkbox", "radio"):
            data[name] = [value or "on", PAYLOADS["huge-id"]]
        elif kind == "select":
            data[name] = [payload, *(value[1:2])]
        else:
            data[name] = payload
    return data


def _client_for(page, world):
    if page.account is None:
        return Client(enforce_csrf_checks=False)
    user = world["users"][page.account]
    membership = Membership.objects.get(user=user, role=page.role) if page.role else None
    return verified_client(user, membership=membership)


def test_no_form_answers_a_server_error_whatever_is_typed(_no_server_errors):
    organizations, users = load_all_demo_data()
    world = {"organizations": organizations, "users": users}
    tried, answers = 0, {}
    for page in PAGES:
        if page.debug or page.state != "verified":
            continue
        client = _client_for(page, world)
        path = page.path(world)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or path
            if action.startswith(SKIPPED_ACTIONS) or action.startswith(("http://", "https://")):
                continue
            for payload in PAYLOADS.values():
                with transaction.atomic():
                    answer = client.post(action, _hostile(form["fields"], payload))
                    transaction.set_rollback(True)
                tried += 1
                answers[answer.status_code] = answers.get(answer.status_code, 0) + 1
                assert answer.status_code < 500, f"{page.name}: {action} answered {answer.status_code}"
    print(f"\nfuzz: {tried} posts, answers by status: {dict(sorted(answers.items()))}")
    assert tried > 100
    assert not _no_server_errors
