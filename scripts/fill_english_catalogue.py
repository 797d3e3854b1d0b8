"""The English catalogue says what the source says: every msgstr is its msgid.

Run by `make messages` after makemessages. French is translated by hand in locale/fr.
"""

from pathlib import Path

import polib

path = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
catalogue = polib.pofile(str(path))
catalogue.metadata_is_fuzzy = False
catalogue.metadata.update(
    {
        "Language": "en",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        "Content-Type": "text/plain; charset=UTF-8",
    }
)
for entry in catalogue:
    # The source strings are English: a guess from msgmerge must never stand in for them.
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
catalogue.save()
