"""Issue 20 (browser walk): the date of birth box of a new client's case says its format as text
beside it, linked with aria-describedby, not only as a placeholder."""

import pytest
from django.urls import reverse

from appointments.tests.test_date_of_birth_format import assert_birth_date_hint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_new_case_form_shows_the_birth_date_format(world, manager, language):
    manager.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    world.manager.preferred_language = language
    world.manager.save(update_fields=["preferred_language"])
    page = manager.get(reverse("referrals:case_create")).content.decode()
    assert_birth_date_hint(page, name="person-birth_date")
