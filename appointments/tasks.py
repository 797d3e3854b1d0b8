from celery import shared_task


@shared_task
def send_due_communications():
    """Reminders and relaunches that are due (Celery beat, every five minutes)."""
    from appointments.follow_up import services

    return services.send_due_communications()
