"""Background work of employment case management: the action plan PDF, referral letters and their emails."""

import logging
import re
from uuid import uuid4

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from referrals.models import LETTER_PLACEHOLDERS, PlanPrint, PrintStatus, Referral, ReferralStatus

logger = logging.getLogger(__name__)


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
    plan_print = PlanPrint.objects.select_related("case", "referral").filter(pk=plan_print_id).first()
    if plan_print is None or plan_print.status == PrintStatus.READY:
        return
    try:
        content = (
            render_letter_pdf(_referral(plan_print.referral_id))
            if plan_print.referral_id
            else render_plan_pdf(plan_print)
        )
    except Exception:
        logger.exception("The PDF %s could not be built", plan_print_id)
        PlanPrint.objects.filter(pk=plan_print_id).update(
            status=PrintStatus.FAILED, finished_at=timezone.now()
        )
        return
    plan_print.file.save(f"{uuid4().hex}.pdf", ContentFile(content), save=False)
    plan_print.status = PrintStatus.READY
    plan_print.finished_at = timezone.now()
    plan_print.save(update_fields=["file", "status", "finished_at"])


def _referral(pk):
    return Referral.objects.select_related(
        "case__person", "case__agency", "case__office", "case__case_manager", "agency", "template"
    ).get(pk=pk)


@shared_task(bind=True, max_retries=None)
def email_referral(self, referral_id):
    """Email the referral with its letter attached, from the no-reply address. Idempotent: the row
    is locked while sending and a referral already emailed is never sent again. Failures retry with
    back-off; after the last attempt the referral shows Failed with the reason."""
    from referrals import services

    failed = None
    with transaction.atomic():
        referral = Referral.objects.select_for_update(of=("self",)).filter(pk=referral_id).first()
        if referral is None or referral.status != ReferralStatus.SENT:
            return False
        referral = _referral(referral_id)
        try:
            message = EmailMessage(
                subject=referral.subject,
                body=referral.body,
                from_email=settings.REFERRAL_FROM_EMAIL,
                to=[referral.email_to],
            )
            message.attach(
                f"referral-{referral.case.number}.pdf", render_letter_pdf(referral), "application/pdf"
            )
            message.send()
        except Exception as error:  # any failure of rendering or sending: record it, then retry
            logger.warning("Referral %s could not be emailed: %s", referral_id, error)
            referral = services.record_referral_failure(
                referral=referral, reason=f"{type(error).__name__}: {error}"
            )
            failed = error
        else:
            services.mark_referral_emailed(referral=referral)
            return True
    if failed is not None and referral.status == ReferralStatus.SENT:
        raise self.retry(exc=failed, countdown=min(60 * 2**referral.attempts, 3600))
    return False


@shared_task
def requeue_stale_referrals(minutes=15):
    """Queue again the referrals still waiting for their email after a while (a lost task)."""
    cutoff = timezone.now() - timezone.timedelta(minutes=minutes)
    ids = list(
        Referral.objects.filter(status=ReferralStatus.SENT, sent_at__lt=cutoff).values_list("pk", flat=True)[
            :200
        ]
    )
    for referral_id in ids:
        email_referral.delay(referral_id)
    return len(ids)
