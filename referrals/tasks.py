"""Background work of employment case management: the action plan and referral letter PDFs.

The tasks are thin wrappers around referrals.services; referral emails go through portal.notify.
"""

import re

from celery import shared_task
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from referrals.models import LETTER_PLACEHOLDERS


def _pdf(html):
    from weasyprint import HTML

    # Tagged PDF: screen readers follow the plan's and the letter's structure.
    return HTML(string=html).write_pdf(pdf_tags=True)


def render_plan_pdf(plan_print):
    """The plan as the client signs it, in the chosen language, through WeasyPrint."""
    from referrals.selectors import plan_print_context

    with translation.override(plan_print.language):
        html = render_to_string(
            "referrals/plan_pdf.html", {**plan_print_context(plan_print.case), "printed": plan_print}
        )
    return _pdf(html)


def letter_values(referral):
    """What the placeholders of a letter stand for. The client's name appears only inside the letter."""
    case = referral.case
    office = case.office
    return {
        "client_name": f"{case.person.first_name} {case.person.last_name}",
        "case_number": str(case.number),
        "date": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
        "organization": referral.organization_display,
        "contact_person": referral.contact_person,
        "agency_name": case.agency.name,
        "agency_address": ", ".join(
            part for part in (office.address, office.city, office.postal_code) if part
        ),
        "agency_phone": office.phone or "",
        "agency_email": case.agency.contact_email or "",
        "case_manager": case.case_manager.get_full_name(),
    }


def render_letter_html(referral):
    """The template's letter with its placeholders filled (values escaped: templates are plain text)."""
    with translation.override(referral.language):
        values = letter_values(referral)
        text = escape(referral.template.letter_body)
        for name in LETTER_PLACEHOLDERS:
            text = text.replace(f"[{name}]", escape(values[name]))
        # An empty detail (no telephone, say) leaves no dangling comma behind.
        text = re.sub(r"(,\s*)+(?=,|\.|$)", "", text, flags=re.MULTILINE)
        # Safe: the template's text and every value were escaped above.
        letter = mark_safe(linebreaks(text, autoescape=False))  # noqa: S308
        return render_to_string("referrals/letter_pdf.html", {"referral": referral, "letter": letter})


def render_letter_pdf(referral):
    return _pdf(render_letter_html(referral))


@shared_task
def build_plan_print(plan_print_id):
    from referrals import services

    return services.build_print(plan_print_id=plan_print_id)


@shared_task
def requeue_stale_prints(minutes=10):
    """Queue again the PDFs still being prepared after a while (a broker outage, a lost task)."""
    from referrals import services

    return services.requeue_stale_prints(minutes=minutes)
