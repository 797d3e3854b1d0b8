"""The audit trail is private: entries carry their organizations, and the portal's audit page lists
the viewer's organization's entries only, with filters (who, what record, action, when)."""

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal import audit, services
from portal.demo import load_all_demo_data
from portal.models import AuditScope, Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import assert_constant_queries, verified_client

pytestmark = pytest.mark.django_db

URL = reverse("portal:audit_log")
ADMIN = "admin@demo.liaison.ca"


@pytest.fixture
def demo():
    organizations, users = load_all_demo_data()
    return organizations, users


@pytest.fixture
def second_department():
    department = OrganizationFactory(kind="department", name="Second department")
    admin = MembershipFactory(role="portal.department_administrator", organization=department)
    return department, admin


def _listed(client, **params):
    """Every entry the page lists (all pages), as LogEntry objects."""
    entries, page = [], 1
    while True:
        response = client.get(URL, {**params, "page": page})
        assert response.status_code == 200
        table = response.context["table"]
        entries.extend(table.page.object_list.data)
        if not table.page.has_next():
            return entries
        page += 1


def _search(client, **criteria):
    """Post the search form (the record's name goes to the session, portal.search), then read it."""
    response = client.post(URL, {"_search": "1", **criteria}, follow=True)
    assert response.status_code == 200
    return response


def _rows(response):
    return list(response.context["table"].page.object_list.data)


def test_every_audited_model_says_where_its_organization_is():
    assert set(auditlog.get_models()) == set(audit.registered_models())


def test_each_entry_carries_the_organizations_of_its_record(demo):
    organizations, users = demo
    request_type = "interpreters.request"
    entry = LogEntry.objects.filter(content_type__app_label="interpreters", content_type__model="request")[0]
    scoped = set(AuditScope.objects.filter(log_entry=entry).values_list("organization_id", flat=True))
    from interpreters.models import Request

    record = Request._base_manager.get(pk=entry.object_pk)
    assert scoped == {record.bank_id, record.establishment_id}, request_type
    # A person's user record: the organizations of their memberships.
    requester = users["requester@demo.liaison.ca"]
    services.record_view(instance=requester)
    entry = LogEntry.objects.get_for_object(requester).latest("pk")
    assert set(entry.scopes.values_list("organization_id", flat=True)) == set(
        requester.memberships.values_list("organization_id", flat=True)
    )


def test_it_lists_only_the_viewers_organization_entries(demo, second_department):
    organizations, users = demo
    department = organizations["department"]
    other, other_admin = second_department
    services.record_view(instance=other)
    client = verified_client(users[ADMIN])
    listed = _listed(client)
    assert listed, "the demo department has audit entries"
    ids = {entry.pk for entry in listed}
    assert ids == set(LogEntry.objects.filter(scopes__organization=department).values_list("pk", flat=True))
    foreign = LogEntry.objects.exclude(scopes__organization=department).filter(pk__in=ids)
    assert foreign.count() == 0
    # Interpreter requests, vaccination appointments, a hospital requester's user record: never.
    labels = {entry.content_type.app_label for entry in listed}
    assert not labels & {"interpreters", "appointments"}
    requester = users["requester@demo.liaison.ca"]
    assert not any(e.content_type.model == "user" and e.object_pk == str(requester.pk) for e in listed)
    # The other department's administrator sees their own entries and none of the first's.
    other_listed = _listed(verified_client(other_admin.user))
    assert other_listed and not ids & {entry.pk for entry in other_listed}
    assert all(entry.scopes.filter(organization=other).exists() for entry in other_listed)


def test_a_foreign_record_in_the_filters_finds_nothing(demo):
    organizations, users = demo
    appointment_entry = LogEntry.objects.filter(content_type__app_label="appointments").latest("pk")
    client = verified_client(users[ADMIN])
    response = _search(client, record=appointment_entry.object_pk, record_type="appointments.appointment")
    assert _rows(response) == []
    response = _search(client, record=appointment_entry.object_repr)
    assert appointment_entry.pk not in {entry.pk for entry in _rows(response)}
    # A record type that is not audited (or made up) matches nothing, and answers 200.
    assert _rows(_search(client, record_type="auditlog.logentry")) == []


def test_it_filters_by_person_without_accents_or_case():
    department = OrganizationFactory(kind="department")
    admin = MembershipFactory(role="portal.department_administrator", organization=department)
    worker = MembershipFactory(organization=department, role="orders.department_worker")
    worker.user.last_name = "Bélanger"
    worker.user.save()
    from auditlog.context import set_actor

    with set_actor(worker.user):
        services.record_view(instance=department)
    services.record_view(instance=department)  # nobody signed in: the system
    client = verified_client(admin.user)
    rows = _rows(client.get(URL, {"who": "BELANGER"}))
    assert rows and all(entry.actor == worker.user for entry in rows)
    assert _rows(client.get(URL, {"who": "nobody-called-this"})) == []


def test_it_filters_by_action_record_and_dates():
    department = OrganizationFactory(kind="department")
    admin = MembershipFactory(role="portal.department_administrator", organization=department)
    member = MembershipFactory(organization=department, role="orders.department_worker")
    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 59, tzinfo=dt.UTC)):  # 19:59 in Moncton
        services.record_view(instance=member)
    with time_machine.travel(dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC)):
        member.valid_to = dt.date(2026, 12, 31)
        member.save()
    client = verified_client(admin.user)
    accesses = _rows(client.get(URL, {"action": LogEntry.Action.ACCESS, "record_type": "portal.membership"}))
    assert [entry.action for entry in accesses] == [LogEntry.Action.ACCESS]
    updates = _rows(client.get(URL, {"action": LogEntry.Action.UPDATE}))
    assert [entry.object_pk for entry in updates] == [str(member.pk)]
    # Local days, ISO dates: the 2 March access (local evening) and not the 5 March change.
    on_the_2nd = _rows(client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"}))
    assert [entry.action for entry in on_the_2nd] == [LogEntry.Action.ACCESS]
    from_the_3rd = _rows(client.get(URL, {"date_from": "2026-03-03", "date_to": "2026-03-31"}))
    assert [entry.action for entry in from_the_3rd] == [LogEntry.Action.UPDATE]
    # A record by its number.
    rows = _rows(_search(client, record=str(member.pk), record_type="portal.membership"))
    assert {entry.object_pk for entry in rows} == {str(member.pk)}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "12/01/2026"},
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"action": "9"},
        {"action": "x"},
        {"who": "x" * 5000},
        {"record_type": "no.such"},
        {"page": "99999999999999999999"},
    ],
)
def test_odd_filters_never_answer_an_error_page(params):
    admin = MembershipFactory(role="portal.department_administrator", organization__kind="department")
    services.record_view(instance=admin.organization)
    assert verified_client(admin.user).get(URL, params).status_code == 200


def test_a_role_without_the_capability_is_refused():
    worker = MembershipFactory(role="orders.department_worker")
    assert verified_client(worker.user).get(URL).status_code == 403
    organization_admin = MembershipFactory(role="portal.administrator")
    assert verified_client(organization_admin.user).get(URL).status_code == 403


@pytest.mark.parametrize(
    "language, title, field",
    [("en", "Audit log", "first name: Avant → Après"), ("fr", "Journal d", "prénom")],
)
def test_it_shows_when_who_what_and_the_changes_in_both_languages(language, title, field):
    admin = MembershipFactory(role="portal.department_administrator", organization__kind="department")
    colleague = MembershipFactory(organization=admin.organization, role="orders.department_worker")
    colleague.user.first_name = "Avant"
    colleague.user.save()
    with time_machine.travel(dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)):
        colleague.user.first_name = "Après"
        colleague.user.save()
    client = verified_client(admin.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    admin.user.preferred_language = language
    admin.user.save()
    page = client.get(URL, {"action": LogEntry.Action.UPDATE, "record_type": "portal.user"}).content.decode()
    assert f'lang="{language}"' in page
    assert title in page
    assert field in page and "Après" in page
    # Local time (Moncton, UTC-4 in December), an unambiguous date.
    assert "2026-12-01 14:30" in page


def test_the_page_costs_the_same_queries_for_1_and_50_entries():
    admin = MembershipFactory(role="portal.department_administrator", organization__kind="department")
    organization = admin.organization

    def add_rows(count):
        for index in range(count):
            member = MembershipFactory(organization=organization, role="orders.department_worker")
            member.valid_to = timezone.localdate() + dt.timedelta(days=index + 1)
            member.save()
            services.record_view(instance=member)

    assert_constant_queries(verified_client(admin.user), URL, add_rows)


def test_backfill_scopes_entries_written_before_the_registry():
    organization = OrganizationFactory(kind="department")
    services.record_view(instance=organization)
    AuditScope.objects.all().delete()
    assert audit.backfill() >= 1
    entry = LogEntry.objects.get_for_object(organization).latest("pk")
    assert list(entry.scopes.values_list("organization_id", flat=True)) == [organization.pk]
    assert audit.backfill() == 0


def test_a_person_with_no_membership_is_no_organizations():
    user = UserFactory()
    services.record_view(instance=user)
    entry = LogEntry.objects.get_for_object(user).latest("pk")
    assert not entry.scopes.exists()
    assert Organization.objects.count() == 0


def test_enter_in_a_filter_searches_and_clear_comes_after():
    """Keyboard: the first submit button of the form is the search, so Enter in any field searches."""
    import re

    admin = MembershipFactory(role="portal.department_administrator", organization__kind="department")
    page = verified_client(admin.user).get(URL).content.decode()
    form = page[page.index('<form method="post" class="search-form"') :]
    form = form[: form.index("</form>")]
    buttons = re.findall(r"<button[^>]*>", form)
    assert 'name="_clear"' not in buttons[0] and 'name="_clear"' in buttons[1]
    for name in ("who", "record_type", "record", "action", "date_from", "date_to"):
        assert f'id="id_{name}"' in form and f'for="id_{name}"' in form


def test_the_follow_up_list_leaves_one_access_entry_per_person_shown_with_its_organization():
    from auditlog.context import set_actor

    from appointments.models import Appointment

    organizations, users = load_all_demo_data()
    shown = list(Appointment.objects.scoped("test").order_by("pk")[:3])
    actor = users[ADMIN]
    with set_actor(actor, remote_addr="10.0.0.1"):
        entries = services.record_list_view(instances=shown)
    assert [entry.object_pk for entry in entries] == [str(a.pk) for a in shown]
    for entry, appointment in zip(entries, shown, strict=True):
        entry.refresh_from_db()
        assert (entry.actor, entry.remote_addr, entry.action) == (actor, "10.0.0.1", LogEntry.Action.ACCESS)
        assert list(entry.scopes.values_list("organization_id", flat=True)) == [appointment.organization_id]


def test_the_backfill_command_is_idempotent():
    from io import StringIO

    from django.core.management import call_command

    organization = OrganizationFactory(kind="department")
    services.record_view(instance=organization)
    before = AuditScope.objects.count()  # its creation and the view
    AuditScope.objects.all().delete()
    out = StringIO()
    call_command("audit_backfill", stdout=out)
    assert out.getvalue().startswith(f"{before} ")
    call_command("audit_backfill", stdout=out)
    assert AuditScope.objects.count() == before == 2
