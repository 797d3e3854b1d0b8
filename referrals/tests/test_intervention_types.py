"""Issue 19: the intervention type list follows the chosen employability dimension, rendered by the
server (a "Show the types of this dimension" button, no JavaScript needed); asking keeps what was
typed and saves nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from referrals.models import InterventionType
from referrals.tests.helpers import intervention_form
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def _client(world, language):
    world.manager.preferred_language = language
    world.manager.save()
    return verified_client(world.manager, membership=world.manager_membership)


def _type_ids(response):
    choices = response.context["form"].fields["intervention_type"].choices
    ids = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            ids.extend(pk for pk, _name in label)
        elif value != "":
            ids.append(value)
    return set(ids)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_showing_the_types_of_a_dimension_keeps_what_was_typed_and_saves_nothing(world, language):
    client = _client(world, language)
    case = world.case()
    before = case.interventions.count()
    url = reverse("referrals:intervention_add", args=[case.number])
    everything = _type_ids(client.get(url))
    skills = world.training.dimension
    data = intervention_form(
        world, case, dimension=skills.pk, intervention_type="", description="Typed description"
    )
    response = client.post(url, {**data, "refresh": "dimension"})
    assert response.status_code == 200
    shown = _type_ids(response)
    expected = set(
        InterventionType.objects.filter(dimension=skills, is_active=True).values_list("pk", flat=True)
    )
    assert shown == expected and shown < everything
    content = response.content.decode()
    assert "Typed description" in content
    assert (timezone.localdate() + timedelta(days=4)).isoformat() in content
    # The type names are in the page's language (bilingual reference data).
    name = world.training.name_fr if language == "fr" else world.training.name_en
    assert escape(name) in content
    other = world.workshop.name_fr if language == "fr" else world.workshop.name_en
    assert f">{escape(other)}</option>" not in content
    assert not response.context["form"].errors
    assert case.interventions.count() == before


def test_the_edit_form_lists_the_types_of_the_interventions_dimension(world):
    client = _client(world, "en")
    case = world.case()
    intervention = world.intervention(case, funded=True)
    response = client.get(reverse("referrals:intervention_edit", args=[case.number, intervention.pk]))
    assert world.training.pk in _type_ids(response)
    assert world.workshop.pk not in _type_ids(response)


def test_a_type_of_another_dimension_is_still_refused_next_to_the_field(world):
    client = _client(world, "en")
    case = world.case()
    data = intervention_form(world, case, dimension=world.training.dimension.pk)
    response = client.post(reverse("referrals:intervention_add", args=[case.number]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["intervention_type"]
    assert not case.interventions.exists()
