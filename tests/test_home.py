"""The home page: tiles for the active role, tasks and notifications due to the end of next month."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import Message, Notification, Task
from portal.selectors import home_horizon
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import assert_constant_queries, verified_client

pytestmark = pytest.mark.django_db

TITLE = _("Welcome to Liaison: review your profile and language")


@pytest.mark.parametrize(
    ("today", "horizon"),
    [
        (date(2026, 11, 21), date(2026, 12, 31)),
        (date(2026, 12, 5), date(2027, 1, 31)),
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 1), date(2028, 2, 29)),
    ],
)
def test_the_horizon_is_the_end_of_next_month(today, horizon):
    assert home_horizon(today) == horizon


def test_it_lists_what_is_due_until_the_end_of_next_month_and_marks_what_is_overdue():
    user = UserFactory(preferred_language="en")
    today = timezone.localdate()
    overdue = services.create_task(assignee=user, title=TITLE, due_date=today - timedelta(days=3), link="/a/")
    soon = services.create_task(assignee=user, title=TITLE, due_date=today + timedelta(days=3), link="/b/")
    later = services.create_task(
        assignee=user, title=TITLE, due_date=home_horizon() + timedelta(days=1), link="/c/"
    )
    done = services.create_task(assignee=user, title=TITLE, due_date=today, link="/d/")
    services.complete_task(task=done)
    services.create_task(assignee=UserFactory(), title=TITLE, due_date=today, link="/someone-else/")
    services.create_notification(recipient=user, title=TITLE, link="/n/", due_date=today - timedelta(days=1))

    page = verified_client(user).get(reverse("portal:home")).content.decode()

    assert 'href="/a/"' in page and 'href="/b/"' in page
    assert 'href="/c/"' not in page and 'href="/d/"' not in page and "/someone-else/" not in page
    assert page.count("Overdue") == 2
    assert "Welcome to Liaison: review your profile and language" in page
    assert overdue.is_overdue and not soon.is_overdue and not later.is_overdue


def test_titles_are_stored_in_both_languages():
    task = services.create_task(assignee=UserFactory(), title=TITLE, due_date=timezone.localdate(), link="/")
    assert task.title_en == "Welcome to Liaison: review your profile and language"
    assert task.title_fr == "Bienvenue dans Liaison : vérifiez votre profil et votre langue"


def test_creating_a_task_with_a_key_twice_keeps_one():
    user = UserFactory()
    for _attempt in range(2):
        services.create_task(assignee=user, title=TITLE, due_date=timezone.localdate(), link="/", key="k1")
    assert Task.objects.count() == 1


def test_opening_a_notification_marks_it_read_and_goes_to_the_record():
    user = UserFactory()
    notification = services.create_notification(recipient=user, title=TITLE, link="/profile/")
    response = verified_client(user).get(reverse("portal:open_notification", args=[notification.pk]))
    assert response["Location"] == "/profile/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("link", ["//evil.example.com/", "https://evil.example.com/", "javascript:alert(1)"])
def test_tasks_and_notifications_link_only_to_this_site(link):
    with pytest.raises(ValueError):
        services.create_task(assignee=UserFactory(), title=TITLE, due_date=timezone.localdate(), link=link)
    with pytest.raises(ValueError):
        services.create_notification(recipient=UserFactory(), title=TITLE, link=link)


def test_a_notification_never_redirects_to_another_site():
    user = UserFactory()
    # Written around the service (as a bad import might): the redirect still refuses it.
    notification = Notification.objects.create(
        recipient=user, title="x", title_fr="x", title_en="x", link="//evil.example.com/"
    )
    response = verified_client(user).get(reverse("portal:open_notification", args=[notification.pk]))
    assert response["Location"] == reverse("portal:home")


def test_the_same_key_for_two_people_makes_two_tasks():
    first, second = UserFactory(), UserFactory()
    a = services.create_task(assignee=first, title=TITLE, due_date=timezone.localdate(), link="/", key="same")
    b = services.create_task(
        assignee=second, title=TITLE, due_date=timezone.localdate(), link="/", key="same"
    )
    assert a.pk != b.pk and b.assignee == second


def test_someone_elses_task_or_notification_is_a_404():
    mine, theirs = UserFactory(), UserFactory()
    task = services.create_task(assignee=theirs, title=TITLE, due_date=timezone.localdate(), link="/")
    notification = services.create_notification(recipient=theirs, title=TITLE, link="/")
    client = verified_client(mine)
    assert client.post(reverse("portal:complete_task", args=[task.pk])).status_code == 404
    assert client.get(reverse("portal:open_notification", args=[notification.pk])).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_marking_a_task_done_removes_it_from_the_list():
    user = UserFactory()
    task = services.create_task(assignee=user, title=TITLE, due_date=timezone.localdate(), link="/x/")
    client = verified_client(user)
    client.post(reverse("portal:complete_task", args=[task.pk]))
    assert 'href="/x/"' not in client.get(reverse("portal:home")).content.decode()


def test_tiles_follow_the_active_role():
    admin = MembershipFactory(role="portal.department_administrator")
    page = verified_client(admin.user).get(reverse("portal:home")).content.decode()
    assert reverse("portal:my_organization") in page
    assert reverse("portal:audit_log") in page
    plain = MembershipFactory(role="orders.department_worker")
    page = verified_client(plain.user).get(reverse("portal:home")).content.decode()
    assert reverse("portal:my_organization") not in page
    assert reverse("portal:profile") in page


def test_the_home_page_costs_the_same_queries_for_1_and_50_rows():
    user = UserFactory()
    today = timezone.localdate()

    def add(n):
        for _i in range(n):
            Task.objects.create(
                assignee=user, title="t", title_fr="t", title_en="t", due_date=today, link="/"
            )
            Notification.objects.create(recipient=user, title="n", title_fr="n", title_en="n", link="/")

    assert_constant_queries(verified_client(user), reverse("portal:home"), add)


def test_the_members_page_costs_the_same_queries_for_1_and_50_members():
    admin = MembershipFactory(role="portal.administrator")

    def add(n):
        for _i in range(n):
            MembershipFactory(organization=admin.organization, role="portal.administrator")

    url = reverse("portal:organization_detail", args=[admin.organization.pk])
    assert_constant_queries(verified_client(admin.user), url, add)


def test_the_outbox_lists_messages_for_staff_in_debug_mode_only(settings):
    settings.DEBUG = True
    staff = UserFactory(is_staff=True)

    def add(n):
        for _i in range(n):
            Message.objects.create(
                key=f"k{Message.objects.count()}",
                channel="email",
                template="t",
                to_address="a@example.ca",
                language="fr",
                link="https://liaison.example.ca/x/",
                recipient=staff,
            )

    client = verified_client(staff)
    assert_constant_queries(client, reverse("portal:outbox"), add)
    assert "https://liaison.example.ca/x/" in client.get(reverse("portal:outbox")).content.decode()
    assert verified_client(UserFactory()).get(reverse("portal:outbox")).status_code == 403
    settings.DEBUG = False
    assert client.get(reverse("portal:outbox")).status_code == 404


def test_the_home_page_shows_the_first_ten_and_links_to_the_full_lists():
    user = UserFactory(preferred_language="en")
    today = timezone.localdate()
    for day in range(12):
        services.create_task(
            assignee=user, title=TITLE, due_date=today + timedelta(days=day), link=f"/t{day}/"
        )
    client = verified_client(user)
    page = client.get(reverse("portal:home")).content.decode()
    assert 'href="/t9/"' in page and 'href="/t10/"' not in page
    assert "See all my tasks (12 due in this period)" in page
    full = client.get(reverse("portal:task_list")).content.decode()
    assert 'href="/t11/"' in full


def test_the_task_and_notification_lists_cost_the_same_queries_for_1_and_50_rows():
    user = UserFactory()
    today = timezone.localdate()
    client = verified_client(user)

    def add_tasks(n):
        for _i in range(n):
            Task.objects.create(
                assignee=user, title="t", title_fr="t", title_en="t", due_date=today, link="/"
            )

    def add_notifications(n):
        for _i in range(n):
            Notification.objects.create(recipient=user, title="n", title_fr="n", title_en="n", link="/")

    assert_constant_queries(client, reverse("portal:task_list"), add_tasks)
    assert_constant_queries(client, reverse("portal:notification_list"), add_notifications)


def test_marking_a_task_done_from_the_full_list_returns_to_it():
    user = UserFactory()
    task = services.create_task(assignee=user, title=TITLE, due_date=timezone.localdate(), link="/x/")
    response = verified_client(user).post(
        reverse("portal:complete_task", args=[task.pk]), {"next": reverse("portal:task_list")}
    )
    assert response["Location"] == reverse("portal:task_list")
