"""Issue 14: the public booking steps send a person elsewhere by one shared check
(views_common.step_redirect): the home page while online booking is closed, the eligibility
questions until answered; the details page checks a time kept from before belongs to its location."""

import pytest
from django.urls import reverse

from appointments.models import EligibilityQuestion
from appointments.tests.conftest import open_online_booking
from appointments.tests.helpers import choose_time, messages_text, public_url

pytestmark = pytest.mark.django_db

STEPS = ("public_eligibility", "public_times", "public_details")


@pytest.mark.parametrize("name", STEPS)
def test_every_step_goes_home_while_online_booking_is_closed(world, public, name):
    home = reverse("appointments:public_page", args=[world.clinic.pk])

    for response in (public.get(public_url(world, name)), public.post(public_url(world, name), {})):
        assert response.status_code == 302 and response["Location"] == home


def test_the_steps_after_the_questions_wait_for_them_and_the_questions_do_not(world, public):
    open_online_booking(world)
    EligibilityQuestion.objects.create(
        service=world.first, text_fr="Q ?", text_en="Q?", eligible_answer="yes"
    )
    eligibility = public_url(world, "public_eligibility")

    assert public.get(eligibility).status_code == 200
    for name in ("public_times", "public_details"):
        response = public.get(public_url(world, name))
        assert response.status_code == 302 and response["Location"] == eligibility


def test_a_time_kept_from_another_location_is_not_shown_with_the_details(world, public):
    open_online_booking(world)
    slot = world.slot(day=2)  # at location A
    details_a = choose_time(public, world, slot)

    assert public.get(details_a).status_code == 200
    response = public.get(public_url(world, "public_details", location=world.location_b))
    assert response.status_code == 302
    assert response["Location"] == public_url(world, "public_times", location=world.location_b)
    assert "This time is not available. Choose a time in the list." in messages_text(response)
