"""Background work of employment case management: the action plan and referral letter PDFs.

The tasks are thin wrappers around referrals.printing; referral emails go through portal.notify.
Services queue these tasks (referrals.plans.services.queue_print); nothing here imports a service.
"""

from celery import shared_task

from portal.tasks import requeue_waiting
from referrals import printing


@shared_task
def build_plan_print(plan_print_id):
    return printing.build_print(plan_print_id=plan_print_id)


@shared_task
def requeue_stale_prints(minutes=10):
    """Queue again the PDFs still being prepared after a while (a broker outage, a lost task)."""
    return requeue_waiting(
        printing.queued_prints(), since="requested_at", task=build_plan_print, minutes=minutes, days=1
    )


@shared_task
def remind_unanswered_referrals():
    """Hourly (Celery beat): an informational referral unanswered for
    REFERRALS_RESPONSE_REMINDER_WORKING_DAYS working days (5 unless configured) reminds its sender
    once (referrals.responses.services.remind_unanswered_referrals)."""
    from referrals.responses import services as responses

    return responses.remind_unanswered_referrals()
