"""Issue 20, staff side: "Print the coupon" prints the coupon alone; ended access can be granted
again; French plurals; new rows go to the end of their order; deleting a slot asks first."""

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from appointments.tests.conftest import book_person
from appointments.tests.helpers import client_for

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(datetime(2027, 2, 1, 10, 0, tzinfo=MONCTON), tick=False):
        yield


def _client(world, key, language):
    user = getattr(world, key)
    user.preferred_language = language
    user.save()
    return client_for(world, key)


def _text(response):
    return html.unescape(response.content.decode())


# "Print the coupon" -------------------------------------------------------------------------------------

COUPON_WORDS = {
    "en": (
        "Print the coupon",
        "Appointment confirmation — {number}",
        "Patient's name",
        "Wednesday 3 February 2027",
    ),
    "fr": (
        "Imprimer le coupon",
        "Confirmation de rendez-vous — {number}",
        "Nom du patient",
        "mercredi 3 février 2027",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_print_the_coupon_prints_the_coupon_alone(world, language):
    slot = world.slot(day=2, start=10, end=11)
    appointment = book_person(
        world,
        slot,
        details={"health_card_number": "1234 567 890", "postal_code": "E2A 1A1"},
        comment="Allergie aux œufs",
    )
    client = _client(world, "manager1", language)
    button, title, name_label, day = COUPON_WORDS[language]
    detail = _text(client.get(reverse("appointments:appointment", args=[appointment.pk])))
    # The staff page links to the coupon's page (it works without JavaScript; printing is the browser's).
    assert f'<a class="button button--secondary" href="?print=coupon">{button}</a>' in detail
    response = client.get(reverse("appointments:appointment", args=[appointment.pk]), {"print": "coupon"})
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "appointments/coupon_print.html"
    page = _text(response)
    assert f'<html lang="{language}"' in page
    for shown in (title.format(number=appointment.number), name_label, "Anne Roy", day, "10:00", "Lieu A"):
        assert shown in page
    assert str(world.first.name) in page or "dose" in page
    # Not the staff record: no health card number, postal code, comment, history, staff names, menu.
    staff_name = world.manager1.get_full_name() or world.manager1.email
    for hidden in ("1234 567 890", "E2A 1A1", "Allergie", staff_name, 'class="history"', "<nav"):
        assert hidden not in page
    assert "data-print" in page


def test_the_coupon_page_answers_404_for_another_network(world):
    slot = world.slot(day=2, start=10, end=11)
    appointment = book_person(world, slot)
    from tests.factories import MembershipFactory
    from tests.helpers import verified_client

    membership = MembershipFactory(organization=world.other_clinic, role="appointments.management_1")
    outsider = verified_client(membership.user, membership=membership)
    response = outsider.get(reverse("appointments:appointment", args=[appointment.pk]), {"print": "coupon"})
    assert response.status_code == 404


# Ended access can be granted again ----------------------------------------------------------------------

ACCESS_WORDS = {
    "en": {"ended": "Ended access", "reopen": "Reopen the access", "reopened": "The access was reopened."},
    "fr": {"ended": "Accès terminés", "reopen": "Rouvrir l'accès", "reopened": "L'accès a été rouvert."},
}


def _french_has(msgid):
    from django.utils import translation

    with translation.override("fr"):
        return translation.gettext(msgid) != msgid


def _french_has_plural(singular, plural):
    from django.utils import translation

    with translation.override("fr"):
        return translation.ngettext(singular, plural, 2) != plural


def _create_account(client, email="Julie.Gallant@Example.ca"):
    return client.post(
        reverse("appointments:account_create"),
        {
            "preferred_language": "fr",
            "first_name": "Julie",
            "last_name": "Gallant",
            "phone": "506 555 0123",
            "email": email,
        },
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_ended_access_is_listed_apart_and_reopened(world, language):
    from portal.models import Membership, User

    # Should the French catalogue lack the strings, the flow runs with the English words and the
    # test fails at its end.
    translated = language == "en" or _french_has("Ended access")
    words = ACCESS_WORDS[language if translated else "en"]
    client = _client(world, "pilot", language)
    assert _create_account(client).status_code == 302
    julie = User.objects.get(email="julie.gallant@example.ca")
    # Created today, ended today: the account stays (it vanished when its only role was removed).
    response = client.post(reverse("appointments:account_end_access", args=[julie.pk]))
    assert response.status_code == 302
    assert Membership.objects.filter(user=julie, organization=world.clinic).count() == 1
    assert not Membership.objects.valid_now().filter(user=julie).exists()
    response = client.get(reverse("appointments:resource_list"))
    ended = response.context["ended_accounts_table"]
    assert [row["account"] for row in ended.data] == [julie]
    assert julie not in [row["account"] for row in response.context["accounts_table"].data]
    page = _text(response)
    assert f"<h2>{words['ended']}</h2>" in page
    roles_page = _text(client.get(reverse("appointments:account_roles", args=[julie.pk])))
    assert words["reopen"] in roles_page
    assert reverse("appointments:account_end_access", args=[julie.pk]) not in roles_page
    # Reopened with the role it had last, from today.
    form_page = client.get(reverse("appointments:role_create", kwargs={"account_pk": julie.pk}))
    assert form_page.context["form"].initial["role"] == "appointments.consultation_2"
    assert f"<h1>{words['reopen']}</h1>" in _text(form_page)
    response = client.post(
        reverse("appointments:role_create", kwargs={"account_pk": julie.pk}),
        {"role": "appointments.consultation_2"},
    )
    assert response.status_code == 302
    assert words["reopened"] in _text(client.get(response["Location"]))
    assert Membership.objects.valid_now().filter(user=julie, organization=world.clinic).count() == 1
    response = client.get(reverse("appointments:resource_list"))
    assert list(response.context["ended_accounts_table"].data) == []
    assert julie in [row["account"] for row in response.context["accounts_table"].data]
    if not translated:
        pytest.fail("the French catalogue does not have the ended access strings yet")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_creating_an_ended_account_again_says_to_reopen_it(world, language):
    from portal.models import User

    client = _client(world, "pilot", language)
    _create_account(client)
    julie = User.objects.get(email="julie.gallant@example.ca")
    client.post(reverse("appointments:account_end_access", args=[julie.pk]))
    response = _create_account(client, email="JULIE.gallant@example.ca")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    msgid = "This person's access to the scheduler has ended."
    if language == "en":
        assert errors["email"][0].startswith(msgid)
        assert "Ended access" in errors["email"][0]
    else:
        if not _french_has(
            "This person's access to the scheduler has ended. Find them under “Ended access” in the resources "
            "and reopen their access."
        ):
            pytest.fail("the French catalogue does not have the ended access strings yet")
        assert errors["email"][0].startswith("L'accès de cette personne au planificateur est terminé.")
    # Nothing saved, nothing typed lost.
    assert User.objects.filter(email__iexact="julie.gallant@example.ca").count() == 1
    assert response.context["form"]["first_name"].value() == "Julie"


def test_a_role_that_ended_does_not_block_the_same_role_again(world):
    from datetime import date

    from appointments.accounts import services as accounts_services
    from portal.models import Membership

    ended = Membership.objects.get(pk=world.memberships["consult1"].pk)
    accounts_services.end_access(actor=world.pilot, organization=world.clinic, account=world.consult1)
    ended.refresh_from_db()
    assert ended.valid_to == date(2027, 1, 31)
    again = accounts_services.add_role(
        organization=world.clinic,
        account=world.consult1,
        role=ended.role,
        location=None,
        valid_from=None,
        valid_to=None,
    )
    assert again.valid_from == date(2027, 2, 1) and again.valid_to is None
    # A role of the same kind still running is a duplicate.
    from portal.workflow import ActionError

    with pytest.raises(ActionError):
        accounts_services.add_role(
            organization=world.clinic,
            account=world.consult1,
            role=ended.role,
            location=None,
            valid_from=None,
            valid_to=None,
        )


# French plurals ------------------------------------------------------------------------------------------

PLURALS = {
    # (the message's function and arguments, English, French)
    "batch_one": ("%(action)s: %(count)d appointment done.", "%(action)s : %(count)d rendez-vous traité."),
    "slot_one": (
        "The slot was created: %(count)d appointment.",
        "La plage horaire a été créée : %(count)d rendez-vous.",
    ),
}


@pytest.mark.parametrize(
    ("counts", "english", "french"),
    [
        ((1, 1), "1 slot was created on 1 day.", "1 plage horaire a été créée sur 1 journée."),
        ((3, 1), "3 slots were created on 1 day.", "3 plages horaires ont été créées sur 1 journée."),
        ((4, 2), "4 slots were created on 2 days.", "4 plages horaires ont été créées sur 2 journées."),
    ],
)
def test_the_clone_message_agrees_with_its_numbers(counts, english, french):
    from django.utils import translation

    from appointments.schedules.views import _cloned_message

    with translation.override("en"):
        assert _cloned_message(*counts) == english
    if not _french_has_plural(
        "%(count)d slot was created on %(on_days)s.", "%(count)d slots were created on %(on_days)s."
    ):
        pytest.fail("the French catalogue does not have the plural forms yet")
    with translation.override("fr"):
        assert _cloned_message(*counts) == french


@pytest.mark.parametrize("language", ["en", "fr"])
def test_one_appointment_done_and_a_one_place_slot_are_singular(world, language):
    from appointments.models import Slot
    from appointments.tests.helpers import in_days, message_texts, slot_form

    client = _client(world, "manager1", language)
    slot = world.slot(day=2, per_interval=3)
    chosen = book_person(world, slot)
    response = client.post(
        reverse("appointments:follow_up_batch"),
        {"action": "confirm", "selected": [chosen.pk], "confirmed": "1"},
    )
    done = " ".join(message_texts(response))
    response = client.post(
        reverse("appointments:slot_create") + f"?location={world.location_a.pk}",
        slot_form(world, date=in_days(3).isoformat(), start="09:00", end="09:15", per_interval="1"),
    )
    assert Slot.objects.filter(starts_at__date=in_days(3)).count() == 1
    created = " ".join(message_texts(response))
    if language == "en":
        assert ": 1 appointment done." in done
        assert "The slot was created: 1 appointment." in created
    else:
        if not _french_has_plural(*PLURALS["batch_one"]):
            pytest.fail("the French catalogue does not have the plural forms yet")
        assert " : 1 rendez-vous traité." in done
        assert "La plage horaire a été créée : 1 rendez-vous." in created


# New rows go to the end of the order -----------------------------------------------------------------------


def test_new_locations_teams_and_services_go_to_the_end(world):
    from appointments.configuration import services as configuration_services
    from appointments.models import Location, Service, TeamResource

    location = world.location("Lieu 0", "E1A 1A1")  # "Lieu 0" sorts first by name: it goes last by order
    assert list(Location.objects.filter(organization=world.clinic)) == [
        world.location_a,
        world.location_b,
        location,
    ]
    team = configuration_services.save_resource(organization=world.clinic, resource=TeamResource(name="A0"))
    teams = list(TeamResource.objects.filter(organization=world.clinic))
    assert teams[-1] == team and team.position == max(other.position for other in teams)
    service = configuration_services.save_service(
        organization=world.clinic, service=Service(name_fr="A", name_en="A", duration_minutes=10)
    )
    assert list(Service.objects.filter(organization=world.clinic))[-1] == service
    # A place given by the form is kept; a change keeps the row's place.
    first = configuration_services.save_resource(
        organization=world.clinic, resource=TeamResource(name="Z", position=0)
    )
    assert first.position == max(other.position for other in teams) + 1  # 0 is "not given"
    location.name_en = "Lieu zéro"
    configuration_services.save_location(organization=world.clinic, location=location)
    location.refresh_from_db()
    assert location.position == 2


# Deleting a slot asks first -------------------------------------------------------------------------------

DELETE_WORDS = {
    "en": (
        "Delete the slot",
        "This cannot be undone. Do you want to continue?",
        "Back without changing anything",
    ),
    "fr": (
        "Supprimer la plage horaire",
        "Cette action est irréversible. Voulez-vous continuer?",
        "Retour sans rien changer",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_deleting_a_slot_asks_for_confirmation_first(world, language):
    from appointments.models import Slot

    client = _client(world, "manager1", language)
    slot = world.slot(day=2, start=11, end=12)
    url = reverse("appointments:slot_delete", args=[slot.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert Slot.objects.filter(pk=slot.pk).exists()
    page = _text(response)
    title, question, back = DELETE_WORDS[language]
    assert f"<h1>{title}</h1>" in page
    assert 'name="confirmed" value="1"' in page
    assert back in page
    if language == "en" or _french_has(
        "You are about to delete the slot of %(day)s, %(start)s to %(end)s (%(team)s, %(location)s). "
        "This cannot be undone. Do you want to continue?"
    ):
        assert question in page
        assert "Wednesday 3 February 2027" in page or "mercredi 3 février 2027" in page
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert not Slot.objects.filter(pk=slot.pk).exists()
