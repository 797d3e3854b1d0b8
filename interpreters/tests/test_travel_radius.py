"""Issue 19 (beyond the guides): a travel radius per interpreter. An in-person request suggests only
interpreters within their radius of the place (the others stay assignable below); when nobody is
suggested for an in-person request, the page suggests a phone or video call instead. The radius is
set on the interpreter's profile; a bad value is refused next to the field, nothing saved."""

import re

import pytest
from django.urls import reverse

from interpreters import selectors
from interpreters.models import InterpreterProfile
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

REMOTE = {
    "en": "Nobody is available within travel range of this place: suggest a phone or video call to the requester.",
    "fr": "Personne n'est disponible dans son rayon de déplacement de ce lieu : proposez au demandeur un appel "
    "téléphonique ou vidéo.",
}


def _coordinator(world, language):
    world.coordinator.preferred_language = language
    world.coordinator.save()
    return verified_client(world.coordinator, membership=world.coordinator_membership)


def _suggested(request):
    return [row["interpreter"] for row in selectors.suggestions(request)]


def test_an_in_person_request_suggests_only_interpreters_within_their_radius(world):
    request = world.request()
    distance = selectors.distance_km(world.far.home_postal_code, request.postal_code)
    assert distance is not None and distance > 100  # Gatineau to Montréal
    assert world.far in _suggested(request)
    world.far.travel_radius_km = 50
    world.far.save()
    assert _suggested(request) == [world.near]  # no radius: no limit
    world.far.travel_radius_km = int(distance) + 1
    world.far.save()
    assert world.far in _suggested(request)


def test_a_phone_request_ignores_the_radius(world):
    for profile in (world.near, world.far):
        profile.travel_radius_km = 1
        profile.save()
    request = world.request(modality="phone", address="", remote_details="514-555-0199")
    assert set(_suggested(request)) == {world.near, world.far}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_nobody_in_range_suggests_a_phone_or_video_call(world, language):
    for profile in (world.near, world.far):
        profile.home_postal_code = world.far.home_postal_code
        profile.travel_radius_km = 50
        profile.save()
    request = world.request()
    client = _coordinator(world, language)
    page = (
        client.get(reverse("interpreters:assign", args=[request.pk])).content.decode().replace("&#x27;", "'")
    )
    assert REMOTE["en"] in page or REMOTE["fr"] in page
    # Both are still listed below, and assignable.
    assert str(world.near) in page and str(world.far) in page
    # With someone in range, no such notice.
    world.near.travel_radius_km = None
    world.near.save()
    page = (
        client.get(reverse("interpreters:assign", args=[request.pk])).content.decode().replace("&#x27;", "'")
    )
    assert REMOTE["en"] not in page and REMOTE["fr"] not in page


def _profile_form(profile, **changes):
    data = {
        "languages": [language.pk for language in profile.languages.all()],
        "modalities": profile.modalities,
        "home_postal_code": profile.home_postal_code,
        "travel_radius_km": "",
        "gender": "",
        "accreditation": profile.accreditation,
        "accreditation_number": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Ensure this value is greater than or equal to 1."),
        ("fr", "Assurez-vous que cette valeur est supérieure ou égale à 1."),
    ],
)
def test_the_radius_is_set_on_the_profile_and_a_bad_value_is_refused_next_to_it(world, language, message):
    client = _coordinator(world, language)
    url = reverse("interpreters:interpreter_edit", args=[world.far.pk])
    response = client.post(url, _profile_form(world.far, travel_radius_km="0", accreditation_number="A-77"))
    content = response.content.decode().replace("&#x27;", "'")
    errors = re.search(r'<ul class="errorlist" id="id_travel_radius_km_errors">(.*?)</ul>', content, re.S)
    assert errors is not None and message in errors.group(1)
    assert 'value="A-77"' in content  # nothing typed is lost
    assert InterpreterProfile.objects.get(pk=world.far.pk).travel_radius_km is None
    response = client.post(url, _profile_form(world.far, travel_radius_km="40"))
    assert response.status_code == 302
    assert InterpreterProfile.objects.get(pk=world.far.pk).travel_radius_km == 40
    page = client.get(url).content.decode()
    assert 'name="travel_radius_km"' in page and 'value="40"' in page
