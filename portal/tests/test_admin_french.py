"""The admin site in French (issue 18): a summary's history inline says its actions in words, the
audit log's columns, filters and actions and the second-factor devices' names are translated.

New strings get their French when the coordinator fills the catalogue: the French expected here is
gettext of the same msgid in French (it is the French once filled), and English pages are checked too."""

import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from orders.reference import ensure_reference_data
from orders.tests.conftest import World
from portal.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def said(language, msgid, context=None):
    with translation.override(language):
        return pgettext(context, msgid) if context else gettext(msgid)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True, preferred_language="fr")


def _page(user, url, language):
    client = verified_client(user)
    client.cookies["liaison_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def _cells(page, column):
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(rf'class="field-{column}"[^>]*>(.*?)</t[dh]>', page, re.S)
    ]


def _readonly(page, field):
    found = re.search(rf'field-{field}".*?<div class="readonly">(.*?)</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_summarys_history_inline_says_its_actions_in_words(staff, language):
    ensure_reference_data()
    summary = World().offered()
    url = reverse("admin:orders_ordersummary_change", args=[summary.pk])

    page = _page(staff, url, language)

    actions = _cells(page, "action_label")
    assert said(language, "created the draft") in actions
    assert "created" not in actions and "offered" not in actions  # no code
    with translation.override(language):
        offered = summary.get_status_display()
    assert any(offered in action for action in actions)
    for heading in ("action", "by", "date", "from", "to", "note"):
        assert said(language, heading).capitalize() in page
    assert said(language, "history").capitalize() in page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_audit_log_columns_filters_and_actions_are_translated(staff, language):
    membership = MembershipFactory(role="portal.administrator")
    Membership.objects.filter(pk=membership.pk).update(role="portal.administrator")
    membership.valid_to = membership.valid_from
    membership.save()  # an audited change
    assert LogEntry.objects.filter(action=LogEntry.Action.UPDATE).exists()

    page = _page(staff, reverse("admin:auditlog_logentry_changelist"), language)

    for heading in ("When", "Who", "Action", "Changes", "Correlation ID"):
        assert said(language, heading) in page
    assert said(language, "Record", "audit entry") in page
    assert said(language, "Record type") in page  # a filter
    actions = _cells(page, "action_label")
    assert said(language, "Changed", "audit action") in actions
    assert said(language, "Created", "audit action") in actions
    assert "update" not in actions and "create" not in actions
    changes = _cells(page, "msg_short")
    assert any(said(language, "valid to") in cell for cell in changes)
    assert not any("change:" in cell or "changes:" in cell for cell in changes)  # auditlog's English


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_audit_entry_page_says_its_action_and_changes(staff, language):
    membership = MembershipFactory(role="portal.administrator")
    membership.valid_to = membership.valid_from
    membership.save()
    entry = LogEntry.objects.filter(action=LogEntry.Action.UPDATE).latest("pk")

    page = _page(staff, reverse("admin:auditlog_logentry_change", args=[entry.pk]), language)

    assert _readonly(page, "action_label") == said(language, "Changed", "audit action")
    assert said(language, "valid to") in _readonly(page, "msg")
    assert said(language, "When") in page and said(language, "Who") in page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_second_factor_devices_have_translated_names_and_headings(staff, language):
    from portal.accounts import services as accounts

    person = UserFactory(email="devices@example.ca")
    device = accounts.start_totp_enrolment(user=person)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    accounts.regenerate_backup_codes(user=person)

    totp = _page(staff, reverse("admin:otp_totp_totpdevice_changelist"), language)
    static = _page(staff, reverse("admin:otp_static_staticdevice_changelist"), language)
    change = _page(staff, reverse("admin:otp_totp_totpdevice_change", args=[device.pk]), language)

    assert said(language, "Authenticator app") in _cells(totp, "device_name")
    assert said(language, "Backup codes") in _cells(static, "device_name")
    for heading in ("person", "name", "created", "last used", "confirmed"):
        assert said(language, heading).capitalize() in totp
    assert said(language, "Identity") in change and said(language, "Timestamps") in change
    assert re.search(rf'<label[^>]*for="id_user"[^>]*>{said(language, "person").capitalize()}', change)
    assert re.search(rf"<label>{said(language, 'last used').capitalize()}", change)
    # The authenticator's technical fields (issue 18).
    for field, label in (("key", "secret key"), ("tolerance", "tolerance"), ("drift", "drift")):
        assert re.search(
            rf'<label[^>]*for="id_{field}"[^>]*>{re.escape(said(language, label).capitalize())}', change
        )
