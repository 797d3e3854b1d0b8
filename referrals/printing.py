"""The action plan and referral letter PDFs (portal.documents.pdf), and the worker's side of a print job.

Nothing here queues work: referrals.plans.services queues a print (referrals.tasks.build_plan_print),
the task calls build_print, and referrals.referrals.delivery attaches the letter to its email.
"""

import logging
import re
from datetime import date
from uuid import uuid4

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from portal import dates
from portal.documents import pdf
from referrals.models import LETTER_PLACEHOLDERS, PlanPrint, PrintStatus, Referral
from referrals.plans.selectors import plan_print_context

logger = logging.getLogger(__name__)


def render_plan_pdf(plan_print: PlanPrint) -> bytes:
    """The plan as the client signs it, in the chosen language, through WeasyPrint."""
    with translation.override(plan_print.language):
        html = render_to_string(
            "referrals/plan_pdf.html", {**plan_print_context(plan_print.case), "printed": plan_print}
        )
    return pdf(html)


def referral_for_letter(pk: int) -> Referral:
    return Referral.objects.select_related(
        "case__person",
        "case__agency",
        "case__office",
        "case__case_manager",
        "agency",
        "template",
        "sending_agency",
        "referred_by",
    ).get(pk=pk)


def letter_date(day: date) -> str:
    """A letter's date in the active language: "1er décembre 2026" (French writes the first of the
    month as an ordinal), "1 December 2026"."""
    return dates.long_date(day)


def letter_values(referral: Referral) -> dict[str, str]:
    """What the placeholders of a letter stand for. The client's name appears only inside the letter."""
    case = referral.case
    office = case.office
    return {
        "client_name": f"{case.person.first_name} {case.person.last_name}",
        "case_number": str(case.number),
        "date": letter_date(timezone.localdate()),
        "organization": referral.organization_display,
        "contact_person": referral.contact_person,
        # The sender as recorded when sent (the case's own while a draft).
        "agency_name": referral.sender_agency.name,
        "agency_address": ", ".join(
            part for part in (office.address, office.city, office.postal_code) if part
        ),
        "agency_phone": office.phone or "",
        "agency_email": referral.sender_agency.contact_email or "",
        "case_manager": referral.sender_person.get_full_name(),
    }


def render_letter_html(referral: Referral) -> SafeString:
    """The template's letter with its placeholders filled (values escaped: templates are plain text)."""
    with translation.override(referral.language):
        values = letter_values(referral)
        text = escape(referral.template.letter_body)
        for name in LETTER_PLACEHOLDERS:
            if not values[name]:
                # An empty detail (no telephone, say) takes its separating comma with it, on its
                # own line only: the salutation's comma and the paragraph after it stay.
                placeholder = re.escape(f"[{name}]")
                text = re.sub(rf",[ \t]*{placeholder}|{placeholder}[ \t]*,[ \t]*(?=\S)", "", text)
            text = text.replace(f"[{name}]", escape(values[name]))
        # Safe: the template's text and every value were escaped above.
        letter = mark_safe(linebreaks(text, autoescape=False))  # noqa: S308
        return render_to_string("referrals/letter_pdf.html", {"referral": referral, "letter": letter})


def render_letter_pdf(referral: Referral) -> bytes:
    return pdf(render_letter_html(referral))


def queued_prints():
    """The prints and letter previews still waiting to be built."""
    return PlanPrint.objects.filter(status=PrintStatus.QUEUED)


def build_print(*, plan_print_id: int) -> bool:
    """The worker's side of a plan print or letter preview: build the PDF, or mark it failed.
    The row is locked while building, so a re-queued twin skips it instead of building it twice."""
    with transaction.atomic():
        plan_print = (
            PlanPrint.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "referral")
            .filter(pk=plan_print_id, status=PrintStatus.QUEUED)
            .first()
        )
        if plan_print is None:
            return False
        try:
            content = (
                render_letter_pdf(referral_for_letter(plan_print.referral_id))
                if plan_print.referral_id
                else render_plan_pdf(plan_print)
            )
        except Exception:
            logger.exception("The PDF %s could not be built", plan_print_id)
            plan_print.status, plan_print.finished_at = PrintStatus.FAILED, timezone.now()
            plan_print.save(update_fields=["status", "finished_at"])
            return False
        plan_print.file.save(f"{uuid4().hex}.pdf", ContentFile(content), save=False)
        plan_print.status = PrintStatus.READY
        plan_print.finished_at = timezone.now()
        plan_print.save(update_fields=["file", "status", "finished_at"])
    return True
