"""Tasks and notifications made before the typed link get it from their keys (migration 0010)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from portal.models import Notification, Task
from portal.selectors import about
from tests.factories import UserFactory

migration = import_module("portal.migrations.0010_home_item_record_from_keys")
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("7:referrals.case.12.develop-plan.3", ("referrals", "case", 12, "develop-plan")),
        ("7:referrals.case.12.intervention.4.end.2026-03-31", ("referrals", "case", 12, "intervention.end")),
        ("7:referrals.case.12.referral.9.failed.0a1b", ("referrals", "case", 12, "referral.failed")),
        ("7:referrals.case.12.transfer.5.received", ("referrals", "case", 12, "transfer.received")),
        ("7:referrals.case.12.task.20260101120000000000", ("referrals", "case", 12, "task")),
        ("7:orders:declined:41:300", ("orders", "ordersummary", 41, "declined")),
        ("7:orders:report:8", ("orders", "servicereport", 8, "report")),
        ("7:interpreters.registration.3", ("interpreters", "registration", 3, "waiting")),
        ("7:interpreters.15.message.2", ("interpreters", "request", 15, "message")),
        ("7:demo:welcome-task", None),
    ],
)
def test_a_key_names_its_record_and_purpose(key, expected):
    assert migration.link(key) == expected


def test_existing_rows_get_their_typed_link_and_are_found_by_it():
    from orders.models import OrderSummary

    person = UserFactory()
    due = timezone.localdate() + timedelta(days=2)
    # A summary row is not needed to name one: the link is a content type and an id.
    old = Task.objects.create(
        assignee=person,
        title="x",
        due_date=due,
        link="/orders/summaries/41/",
        key=f"{person.pk}:orders:accepted:41:5",
    )
    other = Notification.objects.create(
        recipient=person, title="y", link="/", key=f"{person.pk}:demo:welcome"
    )
    migration.fill(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert (old.record_type.model_class(), old.record_id, old.purpose) == (OrderSummary, 41, "accepted")
    assert other.record_type is None
    summary = OrderSummary(pk=41)
    assert list(Task.objects.filter(about(summary))) == [old]
    assert not Task.objects.filter(about(summary, purpose="declined")).exists()
