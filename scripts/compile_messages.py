"""Compile locale/*/LC_MESSAGES/django.po to .mo in pure Python (polib), so that a fresh
machine needs no gettext tools to run Liaison."""

from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "locale"
for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
