"""Organization names inside sentences (portal.names): French contracts its article with "de" and
"à" ("du Réseau", "au Ministère", "à la Clinique", "aux Services"), English says "the" only when the
name takes it (issue 18)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from portal import names
from portal.models import Organization


def org(name_fr, article_fr="", name_en=None, article_en=""):
    # Unsaved: names.* read the active language's name and the articles only.
    return Organization(
        name=name_fr,
        name_fr=name_fr,
        name_en=name_en or name_fr,
        article_fr=article_fr,
        article_en=article_en,
    )


NETWORK = org("Réseau de santé Vitalité", "le", "Vitalité Health Network", "the")
CLINIC = org("Clinique Saint-Jean", "la", "Saint-Jean Clinic", "the")
HOSPITAL = org("Hôpital régional de Moncton", "l'", "Moncton Regional Hospital", "the")
SERVICES = org("Services de soutien Atlantique", "les", "Atlantic Support Services")
HORIZON = org("Horizon", "", "Horizon Home Care")
EMPLOI = org("Emploi Nouvelle Voie", "", "New Path Employment")


@pytest.mark.parametrize(
    "organization, of, to, with_",
    [
        (
            NETWORK,
            "du Réseau de santé Vitalité",
            "au Réseau de santé Vitalité",
            "auprès du Réseau de santé Vitalité",
        ),
        (CLINIC, "de la Clinique Saint-Jean", "à la Clinique Saint-Jean", "auprès de la Clinique Saint-Jean"),
        (
            HOSPITAL,
            "de l'Hôpital régional de Moncton",
            "à l'Hôpital régional de Moncton",
            "auprès de l'Hôpital régional de Moncton",
        ),
        (
            SERVICES,
            "des Services de soutien Atlantique",
            "aux Services de soutien Atlantique",
            "auprès des Services de soutien Atlantique",
        ),
        (HORIZON, "de Horizon", "à Horizon", "auprès de Horizon"),
        (EMPLOI, "d'Emploi Nouvelle Voie", "à Emploi Nouvelle Voie", "auprès d'Emploi Nouvelle Voie"),
    ],
)
def test_french_contracts_the_article_with_de_and_a(organization, of, to, with_):
    with translation.override("fr"):
        assert names.name_after("de", organization) == of
        assert names.name_after("à", organization) == to
        assert names.name_after("auprès de", organization) == with_
        assert names.name_after("au sein de", organization) == "au sein " + of


def test_french_keeps_the_article_after_other_prepositions():
    with translation.override("fr"):
        assert names.name_after("par", NETWORK) == "par le Réseau de santé Vitalité"
        assert names.name_after("avec", HOSPITAL) == "avec l'Hôpital régional de Moncton"
        assert names.the_name(CLINIC) == "la Clinique Saint-Jean"
        assert names.the_name(HORIZON) == "Horizon"


def test_english_says_the_only_when_the_name_takes_it():
    with translation.override("en"):
        assert names.name_after("with", NETWORK) == "with the Vitalité Health Network"
        assert names.name_after("at", CLINIC) == "at the Saint-Jean Clinic"
        assert names.name_after("at", HORIZON) == "at Horizon Home Care"
        assert names.the_name(SERVICES) == "Atlantic Support Services"


def test_a_plain_name_or_nothing():
    with translation.override("fr"):
        assert names.name_after("de", "Clinique du Parc") == "de Clinique du Parc"
        assert names.name_after("de", None) == ""
        assert names.the_name(None) == ""
        assert names.name_after("", NETWORK) == "le Réseau de santé Vitalité"


def test_the_lazy_forms_read_the_language_of_the_moment():
    text = names.lazy_name_after("par", NETWORK)
    with translation.override("fr"):
        assert str(text) == "par le Réseau de santé Vitalité"
    with translation.override("en"):
        assert str(text) == "par the Vitalité Health Network"  # the preposition is the caller's
        assert str(names.lazy_the_name(NETWORK)) == "the Vitalité Health Network"


@pytest.mark.parametrize(
    "language, expected",
    [
        ("fr", "auprès du Réseau de santé Vitalité|le Réseau de santé Vitalité"),
        ("en", "with the Vitalité Health Network|the Vitalité Health Network"),
    ],
)
def test_the_template_filters(language, expected):
    template = Template(
        "{% load portal_names %}{{ organization|name_after:word }}|{{ organization|the_name }}"
    )
    with translation.override(language):
        word = "auprès de" if language == "fr" else "with"
        assert template.render(Context({"organization": NETWORK, "word": word})) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_organization_admin_form_sets_the_articles(language):
    from django.urls import reverse

    from tests.factories import OrganizationFactory, UserFactory
    from tests.helpers import verified_client

    staff = UserFactory(is_staff=True, is_superuser=True, preferred_language=language)
    organization = OrganizationFactory(name_fr="Réseau de santé Vitalité", name_en="Vitalité Health Network")
    client = verified_client(staff)
    client.cookies["liaison_language"] = language
    url = reverse("admin:portal_organization_change", args=[organization.pk])
    page = client.get(url).content.decode()
    assert 'name="article_fr"' in page and 'name="article_en"' in page
    assert '<option value="l&#x27;">l&#x27;</option>' in page
    data = {
        "name_fr": organization.name_fr,
        "name_en": organization.name_en,
        "kind": organization.kind,
        "contact_email": organization.contact_email,
        "is_active": "on",
        "article_fr": "le",
        "article_en": "the",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    organization.refresh_from_db()
    assert (organization.article_fr, organization.article_en) == ("le", "the")
    with translation.override("fr"):
        assert names.name_after("auprès de", organization) == "auprès du Réseau de santé Vitalité"
