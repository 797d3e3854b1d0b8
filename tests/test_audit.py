"""Audit: changes and views of records leave an entry with the actor and the address."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from portal import services
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def test_viewing_a_record_leaves_an_access_entry_with_actor_and_address():
    admin = MembershipFactory(role="portal.administrator")
    verified_client(admin.user).get(reverse("portal:organization_detail", args=[admin.organization.pk]))
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).get()
    assert entry.actor == admin.user
    assert entry.remote_addr == "127.0.0.1"
    assert entry.object_pk == str(admin.organization.pk)


def test_changes_are_recorded_with_old_and_new_values():
    user = UserFactory(first_name="Avant")
    client = verified_client(user)
    client.post(
        reverse("portal:profile"),
        {"first_name": "Après", "last_name": user.last_name, "phone": "", "preferred_language": "fr"},
    )
    entry = LogEntry.objects.get_for_object(user).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["first_name"] == ["Avant", "Après"]
    assert entry.actor == user


def test_passwords_never_reach_the_audit_log():
    user = UserFactory()
    user.set_password("Another-long-password-7")
    user.save()
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in (entry.changes_dict or {})


def test_department_administrators_read_the_audit_log_on_the_portal_not_in_the_admin():
    admin = MembershipFactory(role="portal.department_administrator")
    services.record_view(instance=admin.organization)
    client = verified_client(admin.user)
    response = client.get(reverse("portal:audit_log") + "?who=" + admin.user.last_name)
    assert response.status_code == 200
    assert admin.organization.name in response.content.decode()
    # auditlog's raw list (every organization's entries) is the platform staff's only.
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 302


def test_other_roles_do_not_reach_the_audit_log():
    worker = MembershipFactory(role="orders.department_worker")
    client = verified_client(worker.user)
    assert client.get(reverse("portal:audit_log")).status_code == 403
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 302
