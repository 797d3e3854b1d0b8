"""Background work of the interpreter bank."""

from celery import shared_task


@shared_task
def send_reminders():
    """Hourly: the day-before reminders, sent only between 8:00 and 21:00 (services.send_reminders)."""
    from interpreters import services

    return services.send_reminders()
