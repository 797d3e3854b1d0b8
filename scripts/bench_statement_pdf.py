"""The interpreter statement's PDF at 5,000 services (issue 16: target 10 s on an idle machine).

Renders a pay statement of --lines lines (5,000) the way the export does (the lines' text blocks of
interpreters.billing.statement_pdf, the template interpreters/statement_pdf.html, the tagged PDF of
portal.documents.pdf) and prints the seconds of each step, the pages and the size, with the load
average next to them. No database: the rows are what interpreters.exports.statement_rows gives for
a month of validated services (its read of the lines is measured by tests/benchmarks/bench_lists.py).

    .venv/bin/python scripts/bench_statement_pdf.py [--lines 5000] [--repeat 1] [--language fr]
"""

import argparse
import io
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--language", default="fr", choices=("fr", "en"))
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from django.template.loader import render_to_string
    from django.utils import translation
    from pypdf import PdfReader

    from interpreters.billing import statement_pdf
    from portal.documents import pdf

    first = date(2026, 1, 1)
    headers = ["Request number", "Date", "Language", "Modality", "Establishment", "Minutes", "Time ($)",
               "Travel ($)", "Expenses ($)", "Amount ($)", "Note"]  # fmt: skip
    rows = [
        [
            f"IR-{index:07d}",
            first + timedelta(days=index % 28),
            "Espagnol",
            "En personne",
            "Hôpital régional Dr-Georges-L.-Dumont",
            90,
            Decimal("82.50"),
            Decimal("6.88"),
            Decimal("0.00"),
            Decimal("89.38"),
            "Correction d'un relevé antérieur" if index % 50 == 0 else "",
        ]  # fmt: skip
        for index in range(1, args.lines + 1)
    ]
    statement = SimpleNamespace(
        number="P-202601-0001",
        get_kind_display="Relevé de paie" if args.language == "fr" else "Pay statement",
        month=first,
        interpreter="Anne Roy",
        total=sum((row[9] for row in rows), Decimal(0)),
    )
    print(f"statement PDF of {args.lines:,} lines ({args.language}), load average {os.getloadavg()[0]:.1f}")
    with translation.override(args.language):
        for attempt in range(1, args.repeat + 1):
            started = time.perf_counter()
            blocks = statement_pdf.blocks(headers, rows)
            laid = time.perf_counter()
            html = render_to_string(
                "interpreters/statement_pdf.html",
                {"statement": statement, "blocks": blocks, "LANGUAGE_CODE": args.language},
            )
            rendered = time.perf_counter()
            document = pdf(html)
            done = time.perf_counter()
            pages = len(PdfReader(io.BytesIO(document)).pages)
            print(
                f"  run {attempt}: {done - started:.1f} s in all (text blocks {laid - started:.2f} s, "
                f"template {rendered - laid:.2f} s, WeasyPrint {done - rendered:.1f} s); {pages} pages, "
                f"{len(document) / 1024:.0f} KiB; load average {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()
