"""Background work of the service orders portal (thin: each task calls a service)."""

from celery import shared_task


@shared_task
def expire_ended_summaries():
    """Hourly (Celery beat): active summaries past their end date expire (summaries.services.expire_ended_summaries)."""
    from orders.summaries import services as summary_services

    return summary_services.expire_ended_summaries()
