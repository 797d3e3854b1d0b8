"""The page of a record that belongs to another of the person's roles names that role's
organization with its article (issue 18): "au sein du Réseau…", "at the … Network"."""

import pytest
from django.utils import translation
from django.utils.html import escape

from portal import names
from portal.tests.test_other_role_links import CASES
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_other_role_is_named_with_its_organization_s_article(language, settings):
    settings.LANGUAGE_CODE = language
    entry, kind, role = CASES[0]
    own = OrganizationFactory(kind=kind)
    other = OrganizationFactory(
        kind=kind,
        name_fr="Réseau de santé Vitalité",
        name_en="Vitalité Health Network",
        article_fr="le",
        article_en="the",
    )
    user = UserFactory(preferred_language=language)
    active = MembershipFactory(user=user, organization=own, role=role)
    opening = MembershipFactory(user=user, organization=other, role=role)
    client = verified_client(user, membership=active)

    page = client.get(entry.make(other)).content.decode()

    with translation.override(language):
        label = str(opening.role_label)
        at_word = translation.pgettext("a role at an organization", "at")
        at_organization = names.name_after(at_word, other)
        sentence = translation.gettext("This page belongs to your role %(role)s %(at_organization)s.") % {
            "role": label,
            "at_organization": at_organization,
        }
    if language == "en":
        assert sentence == f"This page belongs to your role {label} at the Vitalité Health Network."
    else:
        # "au sein du Réseau…" once the catalogue has the French of "at" (this context): "au sein de".
        assert at_organization in ("au sein du Réseau de santé Vitalité", "at le Réseau de santé Vitalité")
        assert "de Réseau de santé" not in page
    assert escape(sentence) in page  # the page escapes apostrophes (l'organisme)
