"""Worker-side operations tasks (discovered by config.celery)."""

from celery import shared_task

from portal.ops.heartbeat import record_heartbeat


@shared_task(name="portal.ops.tasks.heartbeat", ignore_result=True)
def heartbeat():
    record_heartbeat()
