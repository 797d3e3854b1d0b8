"""Issue 20, the waitlist: a person signs up once per service (email or mobile), in order of
sign-up, with the area of their postal code; they leave by a signed link. Fixed instants."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from appointments.models import ClinicSettings, WaitlistEntry, WaitlistStatus
from appointments.waitlist import services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_area_is_the_postal_codes_first_three_characters():
    assert services.area_of(" e1c 4b2") == "E1C"
    assert services.area_of("E1C4B2") == "E1C"
    assert services.area_of("") == ""


@time_machine.travel(NOW, tick=False)
def test_sign_up_once_per_person_and_service(world):
    entry, created = services.sign_up(
        service=world.first, email="Anne@Example.com ", language="en", area="e1c 4b2"
    )
    assert created
    assert entry.organization_id == world.clinic.pk
    assert entry.area == "E1C"
    assert entry.language == "en"
    assert entry.status == WaitlistStatus.WAITING
    assert entry.created_at == NOW
    again, created_again = services.sign_up(service=world.first, email="anne@example.com", area="E1A")
    assert not created_again
    assert again.pk == entry.pk
    assert WaitlistEntry.objects.filter(service=world.first).count() == 1


def test_the_same_mobile_is_one_person(world):
    services.sign_up(service=world.first, mobile_phone="+15065550123", area="E1C")
    _entry, created = services.sign_up(service=world.first, mobile_phone="+1 506 555 0123", area="E1C")
    assert not created


def test_the_table_refuses_a_second_active_entry(world):
    entry, _created = services.sign_up(service=world.first, email="a@example.com", area="E1C")
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(
            organization=world.clinic,
            service=world.first,
            email="a@example.com",
            contact_key=entry.contact_key,
            area="E1C",
            created_at=NOW,
        )


def test_a_contact_is_required(world):
    with pytest.raises(ValueError):
        services.sign_up(service=world.first, area="E1C")


def test_order_of_sign_up_and_position(world):
    with time_machine.travel(NOW, tick=False):
        first, _ = services.sign_up(service=world.first, email="a@example.com", area="E1C")
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC), tick=False):
        second, _ = services.sign_up(service=world.first, email="b@example.com", area="E1C")
        other_area, _ = services.sign_up(service=world.first, email="c@example.com", area="E1A")
    assert [entry.pk for entry in services.service_list(world.first)] == [
        first.pk,
        second.pk,
        other_area.pk,
    ]
    assert services.position(first) == 1
    assert services.position(second) == 2
    assert services.position(other_area) == 1


@time_machine.travel(NOW, tick=False)
def test_leave_by_signed_link_then_sign_up_again(world):
    entry, _ = services.sign_up(service=world.first, email="a@example.com", area="E1C")
    token = services.leave_token(entry)
    assert "example" not in token
    found = services.entry_of_leave_token(world.clinic.pk, token)
    assert found is not None and found.pk == entry.pk
    assert services.leave(found)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT
    assert entry.left_at == NOW
    assert not services.leave(entry)
    # Off the list, the person may sign up again: a new entry at the end.
    again, created = services.sign_up(service=world.first, email="a@example.com", area="E1C")
    assert created and again.pk != entry.pk


def test_a_bad_or_foreign_leave_token_names_nobody(world):
    entry, _ = services.sign_up(service=world.first, email="a@example.com", area="E1C")
    token = services.leave_token(entry)
    assert services.entry_of_leave_token(world.clinic.pk, token + "x") is None
    assert services.entry_of_leave_token(world.clinic.pk, "garbage") is None
    assert services.entry_of_leave_token(world.other_clinic.pk, token) is None


def test_hold_duration_setting_defaults_to_two_hours(world):
    clinic_settings, _ = ClinicSettings.objects.get_or_create(organization=world.clinic)
    assert clinic_settings.waitlist_hold_hours == 2


# The staff's page -------------------------------------------------------------------------------------


def _either(text, *choices):
    """The English text or its French (the catalogue gets the French of new strings later)."""
    assert any(choice in text for choice in choices), (choices, text[:3000])


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pilot_sees_the_list_in_order_with_statuses(world, language):
    from appointments.tests.helpers import client_for

    world.pilot.preferred_language = language
    world.pilot.save(update_fields=["preferred_language"])
    with time_machine.travel(NOW, tick=False):
        first, _ = services.sign_up(service=world.first, email="a@example.com", area="E1C")
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC), tick=False):
        second, _ = services.sign_up(service=world.first, mobile_phone="+15065550123", area="E1A")
    services.leave(second)
    services.sign_up(service=world.other_service, email="z@example.com", area="E1C")
    response = client_for(world, "pilot").get(reverse("appointments:waitlist"), {"service": world.first.pk})
    assert response.status_code == 200
    text = response.content.decode()
    _either(text, "1 person on the list.", "1 personne sur la liste.", "1 personne inscrite")
    assert text.index("E1C") < text.index("E1A")
    _either(text, "Left the list", "A quitté la liste", "Retiré")
    # Nothing personal on the page, nothing of the other clinic.
    assert "a@example.com" not in text and "5550123" not in text
    assert ">Other (" not in text and ">Autre (" not in text


def test_the_waitlist_page_needs_the_configuration_capability(world, manager):
    assert manager.get(reverse("appointments:waitlist")).status_code == 403


def test_a_service_of_another_clinic_shows_nothing(world):
    from appointments.tests.helpers import client_for

    services.sign_up(service=world.other_service, email="z@example.com", area="E1C")
    response = client_for(world, "pilot").get(
        reverse("appointments:waitlist"), {"service": world.other_service.pk}
    )
    assert response.status_code == 200
    assert "E1C" not in response.content.decode()


def test_a_bad_service_parameter_is_no_error(world):
    from appointments.tests.helpers import client_for

    response = client_for(world, "pilot").get(reverse("appointments:waitlist"), {"service": "x'; --"})
    assert response.status_code == 200


def test_the_configuration_menu_links_the_waitlist_page(world):
    from appointments.tests.helpers import client_for

    response = client_for(world, "pilot").get(reverse("appointments:checklist"))
    assert f'href="{reverse("appointments:waitlist")}"' in response.content.decode()
    page = client_for(world, "pilot").get(reverse("appointments:waitlist")).content.decode()
    assert f'href="{reverse("appointments:waitlist")}" aria-current="page"' in page
