"""Background work of employment case management: the action plan PDF."""

import logging
from uuid import uuid4

from celery import shared_task
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from referrals.models import PlanPrint, PrintStatus

logger = logging.getLogger(__name__)


def render_plan_pdf(plan_print):
    """The plan as the client signs it, in the chosen language, through WeasyPrint."""
    from weasyprint import HTML

    from referrals.selectors import plan_print_context

    with translation.override(plan_print.language):
        html = render_to_string(
            "referrals/plan_pdf.html", {**plan_print_context(plan_print.case), "printed": plan_print}
        )
        return HTML(string=html).write_pdf()


@shared_task
def build_plan_print(plan_print_id):
    plan_print = PlanPrint.objects.select_related("case").filter(pk=plan_print_id).first()
    if plan_print is None or plan_print.status == PrintStatus.READY:
        return
    try:
        content = render_plan_pdf(plan_print)
    except Exception:
        logger.exception("The action plan PDF %s could not be built", plan_print_id)
        PlanPrint.objects.filter(pk=plan_print_id).update(
            status=PrintStatus.FAILED, finished_at=timezone.now()
        )
        return
    plan_print.file.save(f"{uuid4().hex}.pdf", ContentFile(content), save=False)
    plan_print.status = PrintStatus.READY
    plan_print.finished_at = timezone.now()
    plan_print.save(update_fields=["file", "status", "finished_at"])
