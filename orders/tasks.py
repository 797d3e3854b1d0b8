"""Background work of the service orders portal (thin: each task calls a service)."""

from celery import shared_task


@shared_task
def expire_ended_summaries():
    """Hourly (Celery beat): active summaries past their end date expire (summaries.services.expire_ended_summaries)."""
    from orders.summaries import services as summary_services

    return summary_services.expire_ended_summaries()


@shared_task
def remind_unanswered_offers():
    """Hourly (Celery beat): an offer unanswered for ORDERS_OFFER_REMINDER_WORKING_DAYS working days
    (3 unless configured) sends its provider one reminder email (offers.services.remind_unanswered_offers)."""
    from orders.offers import services as offer_services

    return offer_services.remind_unanswered_offers()
