"""Background work of the interpreter bank (thin: each task calls a service)."""

from celery import shared_task


@shared_task
def send_reminders():
    """Hourly: the day-before reminders, sent only between 8:00 and 21:00 (requests.notices.send_reminders)."""
    from interpreters.requests import notices

    return notices.send_reminders()
