"""Background work of the service orders portal (thin: each task calls a service)."""

from celery import shared_task


@shared_task
def expire_ended_summaries():
    """Hourly (Celery beat): active summaries past their end date expire (services.expire_ended_summaries)."""
    from orders import services

    return services.expire_ended_summaries()
