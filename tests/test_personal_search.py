"""Personal details typed into a search never reach an address (portal.search).

Every list of tests.registry.PERSONAL_SEARCHES is searched with a person's name from the demo
data: the form posts, the redirect and every link of the result page carry none of the typed
values, the results are the filtered ones, a link still holding a personal parameter is moved to
the clean address, and Clear forgets the criteria.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from portal.demo import load_all_demo_data
from portal.models import Export, Membership, User
from portal.search import personal_fields_of
from tests.helpers import verified_client
from tests.registry import PERSONAL_SEARCHES, PILOT

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The forms (method and field names) and every address (href, action, src) of a page."""

    def __init__(self):
        super().__init__()
        self.forms, self.addresses, self.values = [], [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "action", "src", "formaction"):
            if attrs.get(name) is not None:
                self.addresses.append(attrs[name])
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "fields": set()})
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].add(attrs["name"])
            if tag == "input" and attrs.get("type") not in ("hidden", "checkbox", "radio", "submit"):
                self.values[attrs["name"]] = attrs.get("value") or ""


def _parse(response):
    page = _Page()
    page.feed(response.content.decode())
    return page


def _signed_in(entry):
    user = User.objects.get(email=entry.account)
    membership = Membership.objects.get(user=user, role=entry.role) if entry.role else None
    client = verified_client(user, membership=membership)
    reader = User.objects.get(pk=user.pk)
    if membership is not None:
        reader._active_membership = membership
    return client, reader


def _fields(entry):
    from django.urls import resolve

    return personal_fields_of(resolve(reverse(entry.name)).func.personal_fields)


def _assert_clean(address, criteria, fields):
    query = dict(parse_qsl(urlsplit(address).query, keep_blank_values=True))
    assert not set(query) & set(fields), address
    for typed in criteria.values():
        assert not any(typed.casefold() in value.casefold() for value in query.values()), address


@pytest.fixture
def demo():
    return load_all_demo_data()


def test_every_personal_search_is_posted_and_kept_out_of_every_address(demo):
    checked = []
    for entry in PERSONAL_SEARCHES:
        client, reader = _signed_in(entry)
        criteria, shareable, found, other = entry.probe(reader)
        fields = _fields(entry)
        path = reverse(entry.name)
        listing = path + (f"?{shareable}" if shareable else "")

        blank = client.get(listing)
        assert blank.status_code == 200, entry
        forms = [form for form in _parse(blank).forms if set(criteria) <= form["fields"]]
        assert forms and all(form["method"] == "post" for form in forms), entry.name
        assert all({"csrfmiddlewaretoken", "_search"} <= form["fields"] for form in forms), entry.name

        posted = client.post(listing, {**dict(parse_qsl(shareable)), **criteria, "_search": "1"})
        assert posted.status_code == 302, entry.name
        _assert_clean(posted["Location"], criteria, fields)

        results = client.get(posted["Location"])
        assert results.status_code == 200
        content = results.content.decode()
        assert found in content, (entry.name, criteria, found)
        if other is not None:
            assert other not in content, (entry.name, criteria, other)
        page = _parse(results)
        for address in page.addresses:
            _assert_clean(address, criteria, fields)
        # What was typed is shown again in the form, from the session.
        for name, typed in criteria.items():
            assert page.values.get(name) == typed, (entry.name, name)

        # An old bookmark holding the name: moved into the session, the address cleaned.
        client.post(path, {"_clear": "1"})
        separator = "&" if shareable else ""
        bookmark = client.get(f"{path}?{shareable}{separator}" + "&".join(f"{k}={v}" for k, v in criteria.items()))
        assert bookmark.status_code == 302
        _assert_clean(bookmark["Location"], criteria, fields)
        assert found in client.get(bookmark["Location"]).content.decode()

        # Clear forgets the criteria.
        cleared = client.post(listing, {"_clear": "1"})
        assert cleared.status_code == 302
        _assert_clean(cleared["Location"], criteria, fields)
        after = _parse(client.get(cleared["Location"]))
        assert all(not after.values.get(name) for name in criteria), entry.name
        checked.append(entry.name)
    print(f"\npersonal searches checked: {len(checked)} lists ({', '.join(sorted(set(checked)))})")
    assert len(checked) == len(PERSONAL_SEARCHES)


def _entry(name, account=None):
    return next(e for e in PERSONAL_SEARCHES if e.name == name and (account is None or e.account == account))


def test_the_language_switch_keeps_the_criteria(demo):
    entry = _entry("referrals:case_list")
    client, reader = _signed_in(entry)
    criteria, shareable, found, _other = entry.probe(reader)
    posted = client.post(reverse(entry.name) + f"?{shareable}", {**criteria, "status": "", "_search": "1"})
    switched = client.post(reverse("portal:language"), {"language": "fr", "next": posted["Location"]})
    assert switched.status_code == 302 and switched["Location"] == posted["Location"]
    page = client.get(switched["Location"])
    assert page.wsgi_request.LANGUAGE_CODE == "fr"
    assert found in page.content.decode()
    assert _parse(page).values["q"] == criteria["q"]


def test_two_lists_keep_their_own_criteria(demo):
    entry = _entry("referrals:case_list", account="casemanager@demo.liaison.ca")
    client, reader = _signed_in(entry)
    criteria, _shareable, _found, _other = entry.probe(reader)
    client.post(reverse("referrals:case_list"), {**criteria, "_search": "1"})
    creation = _parse(client.get(reverse("referrals:case_create")))
    assert not creation.values.get("q")
    assert _parse(client.get(reverse("referrals:case_list"))).values["q"] == criteria["q"]


def test_a_refused_value_is_kept_and_shown_with_its_error(demo):
    client, _reader = _signed_in(_entry("appointments:follow_up"))
    posted = client.post(
        reverse("appointments:follow_up"), {"period": "day", "date_of_birth": "1990-02-31", "_search": "1"}
    )
    assert "1990" not in posted["Location"]
    page = client.get(posted["Location"])
    assert page.status_code == 200
    assert "date_of_birth" in page.context["form"].errors
    assert _parse(page).values["date_of_birth"] == "1990-02-31"


def test_the_follow_up_export_reads_the_criteria_from_the_session(demo, django_capture_on_commit_callbacks):
    entry = _entry("appointments:follow_up")
    client, reader = _signed_in(entry)
    criteria, shareable, _found, _other = entry.probe(reader)
    posted = client.post(reverse("appointments:follow_up"), {**dict(parse_qsl(shareable)), **criteria, "_search": "1"})
    page = client.get(posted["Location"])
    # The export form carries the shareable filters only; the name comes from the session.
    export_form = next(
        form for form in _parse(page).forms if "next" in form["fields"] and "selected" not in form["fields"]
        and "columns" not in form["fields"]
    )
    assert not set(export_form["fields"]) & set(criteria)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("appointments:follow_up_export"), {**dict(parse_qsl(shareable)), "next": posted["Location"]}
        )
    export = Export.objects.filter(user__email=PILOT).latest("pk")
    assert export.params["filters"]["last_name"] == criteria["last_name"]
