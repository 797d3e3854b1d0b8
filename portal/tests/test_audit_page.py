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


# The "Changes" column reads as the record's fields ---------------------------------------------


def _admin_client(language="en"):
    admin = MembershipFactory(role="portal.department_administrator", organization__kind="department")
    admin.user.preferred_language = language
    admin.user.save()
    client = verified_client(admin.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return admin, client


def _entry(organization, model, changes, action=LogEntry.Action.UPDATE, object_pk="1"):
    """An entry as auditlog stores it (changes are text), scoped to `organization`."""
    from django.contrib.contenttypes.models import ContentType

    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=object_pk,
        object_repr=f"{model._meta.model_name} {object_pk}",
        action=action,
        changes=changes,
    )
    AuditScope.objects.create(log_entry=entry, organization=organization)
    return entry


def _changes_html(client, **params):
    import re

    page = client.get(URL, params).content.decode()
    return (
        re.findall(r"<li>(.*?)</li>", page.split('class="audit-changes"', 1)[-1])
        if "audit-changes" in page
        else []
    )


@pytest.mark.parametrize(
    "language, line",
    [("en", "organization: — → North Hospital"), ("fr", "organisme : — → Hôpital du Nord")],
)
def test_a_foreign_key_shows_the_records_name_and_a_creation_hides_its_key_and_empty_values(language, line):
    admin, client = _admin_client(language)
    admin.organization.name_en, admin.organization.name_fr = "North Hospital", "Hôpital du Nord"
    admin.organization.save()
    colleague = MembershipFactory(organization=admin.organization, role="orders.department_worker")
    entry = LogEntry.objects.get_for_object(colleague).get(action=LogEntry.Action.CREATE)
    assert {"id", "scope", "organization"} <= set(entry.changes_dict)  # stored as auditlog writes it
    page = client.get(URL, {"action": LogEntry.Action.CREATE, "record_type": "portal.membership"})
    html = page.content.decode()
    assert line in html
    assert str(colleague.user.get_full_name() or colleague.user) in html
    assert "{}" not in html and f"→ {colleague.organization_id}<" not in html
    assert "ID:" not in html and "ID :" not in html


def test_a_foreign_key_to_a_record_gone_shows_its_number():
    from orders.models import Order

    admin, client = _admin_client()
    _entry(admin.organization, Order, {"summary": ["None", "987654"]})
    assert _changes_html(client, record_type="orders.order") == ["order summary: — → #987654"]


def test_reverse_relations_placeholders_and_empty_values_are_not_changes():
    from orders.models import OrderSummary

    admin, client = _admin_client()
    created = {
        "id": ["None", "2"],
        "number": ["None", "tmp-0123456789abcdef"],
        "orders": ["None", "orders.Order.None"],
        "events": ["None", "orders.SummaryEvent.None"],
        "reports": ["None", "orders.ServiceReport.None"],
        "notes_for_provider": ["", ""],
        "client_name": ["None", "Jeanne Doiron"],
    }
    _entry(admin.organization, OrderSummary, created, action=LogEntry.Action.CREATE)
    assert _changes_html(client, action=LogEntry.Action.CREATE, record_type="orders.ordersummary") == [
        "account name: — → Jeanne Doiron"
    ]
    # The renumbering right after: the number assigned, never the placeholder.
    _entry(admin.organization, OrderSummary, {"number": ["tmp-0123456789abcdef", "S-2026-0042"]})
    lines = _changes_html(client, action=LogEntry.Action.UPDATE, record_type="orders.ordersummary")
    assert lines == ["order summary number: — → S-2026-0042"]
    assert "tmp-" not in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "language, line", [("en", "base rate: 22.50 → 23.75"), ("fr", "taux de base : 22,50 → 23,75")]
)
def test_decimals_read_in_the_language_of_the_page(language, line):
    from orders.models import Order

    admin, client = _admin_client(language)
    _entry(admin.organization, Order, {"base_rate": ["22.50", "23.75"]})
    assert _changes_html(client, record_type="orders.order") == [line]


def test_foreign_keys_cost_one_query_per_related_model_whatever_the_rows():
    """Every entry's foreign keys point to different records: still the same queries."""
    admin = MembershipFactory(role="portal.department_administrator", organization__kind="department")
    organization = admin.organization

    def add_rows(count):
        for _index in range(count):
            # A creation: its user and its organization are foreign keys shown by name.
            MembershipFactory(organization=organization, role="orders.department_worker")

    client = verified_client(admin.user)
    assert_constant_queries(client, URL, add_rows)
    html = client.get(URL).content.decode()
    assert f"— → {organization.name}</li>" in html


@pytest.mark.parametrize("language, label", [("en", "Any type"), ("fr", "Tous les types")])
def test_the_record_type_filter_offers_any_type_once(language, label):
    admin, client = _admin_client(language)
    page = client.get(URL).content.decode()
    select = page[page.index('id="id_record_type"') :]
    select = select[: select.index("</select>")]
    assert select.count(label) == 1
    assert select.count('value=""') == 1


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "The end date cannot be before the start date."),
        ("fr", "La date de fin ne peut pas précéder la date de début."),
    ],
)
def test_a_reversed_date_range_says_so_next_to_the_end_date(language, message):
    admin, client = _admin_client(language)
    services.record_view(instance=admin.organization)
    response = client.get(URL, {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert response.status_code == 200
    form = response.context["filter"].form
    assert form.errors == {"date_to": [message]}
    html = response.content.decode()
    assert message in html
    assert _rows(response) == []
    # The right order lists the entries again.
    assert _rows(client.get(URL, {"date_from": "2026-03-01", "date_to": "2099-12-31"}))
