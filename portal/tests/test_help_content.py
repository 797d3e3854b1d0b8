"""Issue 19: each portal's help (support contact, lexicon, good practices) is written by the
organization's administrators or coordinators, in French and in English, through the one portal
check; its people read it on the help page, and an empty part shows the default text. What is
written is plain text: escaped, its line breaks kept, its addresses linked, never raw HTML."""

import html

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from interpreters.models import ServedEstablishment
from portal import help_content
from portal.models import HelpContent
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

DEFAULT_PRACTICE = "Good practice: write no patient detail in a request; the interpreter needs the place, the time and the language."
DEFAULT_REQUEST = (
    "One appointment that needs an interpreter: language, date, place or telephone, establishment."
)
EDIT = reverse("portal:help_edit", args=["interpreters"])

TEXTS = {
    "support_fr": "Écrivez à aide@banque.example.ca\nou appelez le 506 555-0100.",
    "support_en": "Write to help@bank.example.ca\nor call 506 555-0100.",
    "lexicon_fr": "LSQ : langue des signes québécoise\nRelance : un rappel",
    "lexicon_en": "LSQ: Quebec Sign Language\nReminder: a follow-up",
    "practices_fr": "Arrivez dix minutes d'avance.\n\nPrésentez-vous à l'accueil.",
    "practices_en": "Come ten minutes early.\n\nCheck in at the front desk.",
}


def said(language, msgid):
    with translation.override(language):
        return gettext(msgid)


def page_of(client, language, url=None):
    client.cookies["liaison_language"] = language
    response = client.get(url or reverse("portal:help"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def bank():
    bank = OrganizationFactory(kind="interpreter_bank")
    coordinator = MembershipFactory(organization=bank, role="interpreters.coordinator")
    interpreter = MembershipFactory(organization=bank, role="interpreters.interpreter")
    return bank, coordinator, interpreter


def _write(coordinator, **changes):
    client = verified_client(coordinator.user, membership=coordinator)
    return client.post(EDIT, {**TEXTS, **changes})


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_shows_the_default_help_until_the_organization_writes_its_own(bank, language):
    _bank, _coordinator, interpreter = bank
    page = page_of(verified_client(interpreter.user, membership=interpreter), language)

    assert said(language, DEFAULT_PRACTICE) in page and said(language, DEFAULT_REQUEST) in page
    assert said(language, "Support for this portal") not in page
    assert EDIT not in page  # an interpreter does not write the help


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_coordinator_writes_the_help_and_the_banks_people_read_it_in_their_language(bank, language):
    _bank, coordinator, interpreter = bank
    response = _write(coordinator)
    assert (
        response.status_code == 302 and response["Location"] == reverse("portal:help") + "#help-interpreters"
    )

    page = page_of(verified_client(interpreter.user, membership=interpreter), language)

    other = "en" if language == "fr" else "fr"
    assert said(language, "Support for this portal") in page
    assert TEXTS[f"practices_{language}"].split("\n")[0] in page
    assert TEXTS[f"practices_{other}"].split("\n")[0] not in page
    assert said(language, DEFAULT_PRACTICE) not in page and said(language, DEFAULT_REQUEST) not in page
    # Line breaks kept, blank lines make paragraphs, the address is a link.
    address = "aide@banque.example.ca" if language == "fr" else "help@bank.example.ca"
    assert f'<a href="mailto:{address}">{address}</a><br>' in page
    first, second = TEXTS[f"practices_{language}"].split("\n\n")
    assert f"<p>{first}</p>\n\n<p>{second}</p>" in page
    # "Term: meaning" lines are a list of terms.
    term, meaning = TEXTS[f"lexicon_{language}"].split("\n")[0].split(":")
    assert f"<dt>{term.strip()}</dt><dd>{meaning.strip()}</dd>" in page


def test_an_empty_part_shows_the_default_text(bank):
    _bank, coordinator, interpreter = bank
    _write(coordinator, practices_en="", lexicon_en="  ")

    page = page_of(verified_client(interpreter.user, membership=interpreter), "en")

    assert DEFAULT_PRACTICE in page and DEFAULT_REQUEST in page
    assert "help@bank.example.ca" in page  # the part that was written


def test_what_is_written_is_text_never_markup(bank):
    _bank, coordinator, interpreter = bank
    _write(
        coordinator,
        support_en='<script>alert("x")</script> <b>bold</b> javascript:alert(1)',
        lexicon_en="<img src=x onerror=alert(1)>: an image",
    )

    client = verified_client(interpreter.user, membership=interpreter)
    client.cookies["liaison_language"] = "en"
    page = client.get(reverse("portal:help")).content.decode()

    assert "<script>alert" not in page and "<b>bold</b>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'href="javascript' not in page


def test_requesters_read_the_help_of_the_bank_that_serves_their_establishment(bank):
    bank_org, coordinator, _interpreter = bank
    establishment = OrganizationFactory(kind="health_establishment")
    ServedEstablishment.objects.create(establishment=establishment, bank=bank_org)
    requester = MembershipFactory(organization=establishment, role="interpreters.requester")
    unserved = MembershipFactory(organization__kind="health_establishment", role="interpreters.requester")
    _write(coordinator)

    assert "help@bank.example.ca" in page_of(verified_client(requester.user, membership=requester), "en")
    assert "help@bank.example.ca" not in page_of(verified_client(unserved.user, membership=unserved), "en")


def test_another_banks_people_never_read_it_and_its_coordinator_writes_its_own(bank):
    _bank, coordinator, _interpreter = bank
    other = MembershipFactory(organization__kind="interpreter_bank", role="interpreters.coordinator")
    _write(coordinator)

    form = page_of(verified_client(other.user, membership=other), "en", EDIT)
    assert "help@bank.example.ca" not in form  # its own form starts empty
    assert "help@bank.example.ca" not in page_of(verified_client(other.user, membership=other), "en")
    _write(other, support_en="Ask the second bank.")

    assert (
        HelpContent.objects.for_organization(coordinator.organization).get().support_en.startswith("Write to")
    )
    assert "Ask the second bank." in page_of(verified_client(other.user, membership=other), "en")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_edit_page_shows_what_was_written_in_both_languages(bank, language):
    _bank, coordinator, _interpreter = bank
    _write(coordinator)
    client = verified_client(coordinator.user, membership=coordinator)

    form = page_of(client, language, EDIT)

    assert (
        said(language, "Support contact, in French") in form and said(language, "Lexicon, in English") in form
    )
    assert 'lang="fr"' in form and TEXTS["support_fr"].split("\n")[0] in form
    assert said(language, "Save the help page") in form
    assert EDIT in page_of(client, language)  # the help page links to it


def test_only_the_portals_coordinators_may_write_its_help(bank):
    _bank, coordinator, interpreter = bank
    requester = MembershipFactory(organization__kind="health_establishment", role="interpreters.requester")
    worker = MembershipFactory(organization__kind="department", role="orders.department_worker")

    for membership in (interpreter, requester, worker):
        client = verified_client(membership.user, membership=membership)
        assert client.get(EDIT).status_code == 403
        assert client.post(EDIT, TEXTS).status_code == 403
    assert not HelpContent.objects.for_organization(requester.organization).exists()
    # The department worker writes the help of service orders, not that of the interpreter bank.
    assert (
        verified_client(worker.user, membership=worker)
        .get(reverse("portal:help_edit", args=["orders"]))
        .status_code
        == 200
    )
    assert (
        verified_client(coordinator.user, membership=coordinator)
        .get(reverse("portal:help_edit", args=["no-such-portal"]))
        .status_code
        == 404
    )
    response = Client().get(EDIT)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_part_too_long_is_refused_next_to_its_field_and_nothing_is_saved(bank):
    _bank, coordinator, _interpreter = bank
    response = _write(
        coordinator,
        practices_en="x" * (help_content.HelpContent._meta.get_field("practices_en").max_length + 1),
    )

    assert response.status_code == 200
    assert 'id="id_practices_en_errors"' in response.content.decode()
    assert not HelpContent.objects.for_organization(coordinator.organization).exists()


def test_writing_the_help_is_audited_with_its_organization(bank):
    _bank, coordinator, _interpreter = bank
    _write(coordinator)
    _write(coordinator, support_en="Changed.")

    content = HelpContent.objects.for_organization(coordinator.organization).get()
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(HelpContent), object_pk=str(content.pk)
    )
    assert entries.count() == 2
    assert content.updated_by == coordinator.user
    assert content.support_en == "Changed." and content.support_fr == TEXTS["support_fr"]


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_saving_the_first_help_at_once_make_one_row_and_no_error():
    from tests.concurrency import race, require_postgres

    require_postgres()
    bank = OrganizationFactory(kind="interpreter_bank")
    first, second = (MembershipFactory(organization=bank, role="interpreters.coordinator") for _ in range(2))

    def save(membership, text):
        return lambda: help_content.save_help_content(
            actor=membership.user, organization=bank, portal="interpreters", support_en=text
        )

    outcomes = race(save(first, "Ask Ana."), save(second, "Ask Ben."))

    assert outcomes == ["done", "done"]
    content = HelpContent.objects.for_organization(bank).get()
    assert content.support_en in ("Ask Ana.", "Ask Ben.")
