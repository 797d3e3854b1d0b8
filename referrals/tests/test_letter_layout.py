"""Issue 19: the referral letter keeps its layout. The salutation keeps its comma and is a paragraph
of its own ("Madame, Monsieur Denise Gallant," then the body; "Sincerely," too), an empty detail
takes only its own separating comma, the French date of the first of the month says "1er", and the
letterhead's telephone label is followed by a space and a colon in French. The PDF is read back."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from referrals.models import CorrespondenceTemplate, ReferralType
from referrals.printing import letter_date, referral_for_letter, render_letter_html, render_letter_pdf

pytestmark = pytest.mark.django_db

MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def first_of_december():
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=MONCTON), tick=False):
        yield


def _letter(network, language, *, phone="506-555-0101"):
    network.office.phone = phone
    network.office.address = "100, rue Main"
    network.office.save()
    referral = network.referral(
        ReferralType.OUTSIDE,
        language=language,
        template=CorrespondenceTemplate.objects.get(code="outside", language=language),
    )
    return referral_for_letter(referral.pk)


def _pdf_lines(content):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_french_letter_keeps_its_salutation_its_paragraphs_and_says_1er(network):
    referral = _letter(network, "fr")
    html = render_letter_html(referral)
    # The salutation is a paragraph of its own, with its comma; the body follows in its own.
    assert "<p>Madame, Monsieur Denise Gallant,</p>" in html
    assert "<p>Nous vous renvoyons la personne nommée ci-dessous" in html
    assert "Le 1er décembre 2026" in html
    lines = _pdf_lines(render_letter_pdf(referral))
    salutation = lines.index("Madame, Monsieur Denise Gallant,")
    assert lines[salutation + 1].startswith("Nous vous renvoyons")
    assert "Le 1er décembre 2026" in lines
    assert "Veuillez agréer nos salutations distinguées." in lines
    text = " ".join(lines)
    # The French letterhead: a (non-breaking) space before the colon.
    assert re.search(r"Téléphone\s:\s506-555-0101", text), text
    assert "Téléphone:" not in text
    assert "100, rue Main, Moncton" in text and "506-555-0101," in text


def test_the_english_letter_keeps_dear_and_sincerely_with_their_commas(network):
    referral = _letter(network, "en")
    lines = _pdf_lines(render_letter_pdf(referral))
    dear = lines.index("Dear Denise Gallant,")
    assert lines[dear + 1].startswith("We are referring the person named below")
    assert "Sincerely," in lines
    assert "1 December 2026" in lines
    assert any(line.startswith("Telephone: 506-555-0101") for line in lines)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_empty_detail_takes_only_its_own_comma(network, language):
    referral = _letter(network, language, phone="")
    html = render_letter_html(referral)
    email = network.agency.contact_email
    # "…Moncton, [agency_phone], email." without a telephone: no ", ," and no comma before the email
    # is lost; the salutation keeps its comma.
    assert ", ," not in html and ",," not in html
    assert f"Moncton, {email}." in html if email else "Moncton." in html
    assert "Gallant,</p>" in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "1er décembre 2026"), ("en", "1 December 2026")],
)
def test_the_letter_date_of_the_first_of_the_month(language, expected):
    from django.utils import timezone, translation

    with translation.override(language):
        assert letter_date(timezone.localdate()) == expected
        assert letter_date(timezone.localdate().replace(day=2)).startswith("2 ")
