"""Both catalogues are complete: no untranslated and no fuzzy entry, and every string is extracted."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_catalogue_is_complete(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"
    assert len(catalogue) > 100


def test_both_catalogues_hold_the_same_strings():
    french = {e.msgid for e in polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))}
    english = {e.msgid for e in polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))}
    assert french == english


def test_french_placeholders_match_the_source():
    import re

    for entry in polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po")):
        pattern = re.compile(r"%\(\w+\)s")
        if entry.msgid_plural:
            assert set(pattern.findall(entry.msgid_plural)) == set(pattern.findall(entry.msgstr_plural[1]))
        else:
            assert set(pattern.findall(entry.msgid)) == set(pattern.findall(entry.msgstr)), entry.msgid


def test_the_english_catalogue_says_what_the_source_says():
    for entry in polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po")):
        if entry.msgid_plural:
            assert entry.msgstr_plural[0] == entry.msgid
        else:
            assert entry.msgstr == entry.msgid
