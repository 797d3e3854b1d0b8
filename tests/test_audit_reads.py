"""Every registered page that shows a person's record leaves an audit entry (who, when, from where)."""

import pytest
from auditlog.models import LogEntry

from portal.demo import load_all_demo_data
from portal.models import Membership
from tests.helpers import verified_client
from tests.registry import PAGES

pytestmark = pytest.mark.django_db

# The pages of the registry that show one person's personal or health details.
PERSONAL_RECORD_PAGES = [
    "referrals-case-home",
    "referrals-case-details",
    "referrals-case-additional",
    "referrals-case-education",
    "referrals-needs",
    "referrals-needs-version",
    "referrals-plan",
    "referrals-intervention",
    "referrals-outcomes",
    "referrals-notes",
    "referrals-case-tasks",
    "referrals-case-status",
    "referrals-documents",
    "referrals-incoming-detail",
    "interpreters-request-requester",
    "interpreters-request-coordinator",
    "appointments-appointment",
    "appointments-appointment-edit",
    # A list, but of people's names and phones: each one shown leaves an entry.
    "appointments-follow-up",
]
BY_NAME = {page.name: page for page in PAGES}


def test_the_list_names_registered_pages():
    assert set(PERSONAL_RECORD_PAGES) <= set(BY_NAME)


@pytest.mark.parametrize("name", PERSONAL_RECORD_PAGES)
def test_a_personal_record_page_leaves_an_access_entry(name):
    organizations, users = load_all_demo_data()
    world = {"organizations": organizations, "users": users}
    page = BY_NAME[name]
    user = users[page.account]
    membership = Membership.objects.get(user=user, role=page.role) if page.role else None
    client = verified_client(user, membership=membership)
    path = page.path(world)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user).count()
    response = client.get(path)
    assert response.status_code == page.status
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user)
    assert entries.count() > before, f"{name} ({path}) left no audit entry"
    assert entries.latest("timestamp").remote_addr == "127.0.0.1"
