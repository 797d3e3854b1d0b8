from celery import shared_task


@shared_task
def send_due_communications():
    """Reminders and relaunches that are due (Celery beat, every five minutes)."""
    from appointments.follow_up import services

    return services.send_due_communications()


@shared_task
def offer_waitlist_places(slot_ids=None):
    """Offer the free places of these slots to the people waiting (queued after the commit of a
    change of places: cancellations, new slots, more places, holds given back)."""
    from appointments.waitlist import offers

    return offers.offer_places(slot_ids=slot_ids)


@shared_task
def expire_waitlist_holds():
    """End the waitlist holds past their time and offer every free place to the people waiting
    (Celery beat, every five minutes: also catches an offer task lost while the broker was away)."""
    from appointments.waitlist import offers

    expired = offers.expire_holds()
    return expired, offers.offer_places()
