"""Issue 20, the public path: the terms of use and the privacy policy linked from the consent, the
health card number's format (help, accepted writings, a clear message next to the field) and the
email link's cancellation that asks first."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from appointments.booking import views_form
from appointments.models import Appointment, AppointmentStatus, Location
from appointments.tests.conftest import book_person, open_online_booking
from appointments.tests.helpers import PERSON, choose_time

pytestmark = pytest.mark.django_db

# 2026-12-03 10:00 in Moncton: the slots are tomorrow's.
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _either(text, *choices):
    """The English text or its French (the catalogue gets the French of new strings later)."""
    assert any(choice in text for choice in choices), (choices, text[:3000])


@pytest.fixture(autouse=True)
def fresh_blank_forms():
    views_form._BLANK_FORMS.clear()
    yield
    views_form._BLANK_FORMS.clear()


def _health_card(world, mode="optional"):
    world.first.personal_fields = {**world.first.personal_fields, "health_card_number": mode}
    world.first.save()


# Terms of use and privacy policy -----------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_consent_links_to_the_terms_and_the_privacy_policy_which_open_in_both_languages(world, language):
    open_online_booking(world, public_name="Réseau de santé Vitalité")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    details = choose_time(client, world, world.slot(day=1))
    page = client.get(details).content.decode()
    terms = reverse("appointments:public_terms", args=[world.clinic.pk])
    privacy = reverse("appointments:public_privacy", args=[world.clinic.pk])
    help_block = page.split('id="id_accept_terms_help"', 1)[1].split("</div>", 1)[0]
    assert f'href="{terms}"' in help_block and f'href="{privacy}"' in help_block
    # The checkbox is described by the links (read with it by a screen reader).
    assert 'aria-describedby="id_accept_terms_help"' in page
    response = client.get(terms)
    assert response.status_code == 200
    _either(response.content.decode(), "Terms of use", "Conditions d'utilisation")
    _either(response.content.decode(), "Réseau de santé Vitalité")
    response = client.get(privacy)
    assert response.status_code == 200
    text = response.content.decode()
    _either(
        text,
        "you authorize the staff of Réseau de santé Vitalité to keep and consult the personal information",
        "vous autorisez le personnel de Réseau de santé Vitalité à conserver et à consulter les renseignements",
    )


def test_the_notices_of_an_unknown_clinic_network_answer_404(world, public):
    for name in ("public_terms", "public_privacy"):
        assert public.get(reverse(f"appointments:{name}", args=[999999])).status_code == 404


# Health card number ---------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("typed", ["12345", "1234567890", "ABC123456", "123 456 78<"])
def test_a_health_card_number_out_of_the_province_s_format_is_refused_next_to_the_field(world, public, typed):
    open_online_booking(world)
    _health_card(world)
    details = choose_time(public, world, world.slot(day=1))
    response = public.post(details, {**PERSON, "health_card_number": typed})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["health_card_number"])
    _either(errors, "9 digits, for example 123 456 789", "9 chiffres, par exemple 123 456 789")
    assert list(response.context["form"].errors) == ["health_card_number"]
    html = response.content.decode()
    assert 'id="id_health_card_number_errors"' in html
    assert 'value="Anne"' in html and 'value="anne@example.com"' in html  # nothing typed is lost
    assert not Appointment.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("typed", ["123456789", "123 456 789", "123-456-789", " 123.456.789 "])
def test_the_health_card_number_is_accepted_with_spaces_or_dashes_and_kept_compact(world, public, typed):
    open_online_booking(world)
    _health_card(world, "required")
    details = choose_time(public, world, world.slot(day=1))
    page = public.get(details).content.decode()
    _either(page, "9 digits, for example 123 456 789. Spaces and dashes are accepted.", "9 chiffres")
    response = public.post(details, {**PERSON, "health_card_number": typed})
    assert response.status_code == 302, response.context["form"].errors
    assert Appointment.objects.get().details["health_card_number"] == "123456789"


@time_machine.travel(NOW, tick=False)
def test_a_location_in_quebec_asks_the_quebec_format_and_its_blank_form_is_not_another_s(world, public):
    open_online_booking(world)
    _health_card(world)
    Location.objects.filter(pk=world.location_b.pk).update(province="QC")
    slot_a, slot_b = world.slot(day=1), world.slot(day=1, team=world.team_c, location=world.location_b)
    page_a = public.get(choose_time(public, world, slot_a)).content.decode()
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    details_b = choose_time(other, world, slot_b)
    page_b = other.get(details_b).content.decode()
    assert "123 456 789" in page_a and "ROYA 8001 0212" not in page_a
    _either(page_b, "4 letters then 8 digits, for example ROYA 8001 0212", "4 lettres puis 8 chiffres")
    response = other.post(details_b, {**PERSON, "health_card_number": "123456789"})
    assert "health_card_number" in response.context["form"].errors
    response = other.post(details_b, {**PERSON, "health_card_number": "roya 8001 0212"})
    assert response.status_code == 302
    assert Appointment.objects.get().details["health_card_number"] == "ROYA80010212"


@time_machine.travel(NOW, tick=False)
def test_staff_booking_keeps_the_health_card_as_typed(world):
    from appointments.booking.forms import PersonForm

    _health_card(world)
    form = PersonForm(
        {
            "first_name": "Anne",
            "last_name": "Roy",
            "date_of_birth": "1980-01-02",
            "health_card_number": "1234 567 890",
        },
        service=world.first,
        staff=True,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["health_card_number"] == "1234 567 890"


# Cancelling from the email link ----------------------------------------------------------------------------


def _manage(appointment):
    return reverse("appointments:manage", args=[appointment.token])


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_link_s_cancel_asks_first_then_cancels(world, language):
    appointment = book_person(world, world.slot(day=2))
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(_manage(appointment)).content.decode()
    # The page offers "Cancel" as a step (a link), not a button that cancels at once.
    assert 'href="?cancel=1"' in page and 'value="cancel"' not in page
    asking = client.get(_manage(appointment), {"cancel": "1"})
    text = asking.content.decode()
    assert asking.status_code == 200 and asking.context["asking_cancel"]
    _either(text, "Cancel this appointment?", "Annuler ce rendez-vous?")
    assert appointment.number in text and 'value="cancel"' in text
    assert f'href="{_manage(appointment)}"' in text  # "No, keep my appointment"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED  # asking changes nothing
    response = client.post(_manage(appointment), {"action": "cancel"}, follow=True)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert 'href="?cancel=1"' not in response.content.decode()
    # The question is not asked again for a cancelled appointment.
    again = client.get(_manage(appointment), {"cancel": "1"})
    assert not again.context["asking_cancel"] and 'value="cancel"' not in again.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_past_appointment_is_not_asked_to_be_cancelled(world, public):
    appointment = book_person(world, world.slot(day=2))
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=world.at(-1, 9))
    response = public.get(_manage(appointment), {"cancel": "1"})
    assert response.status_code == 200 and not response.context["asking_cancel"]
    assert 'value="cancel"' not in response.content.decode()
