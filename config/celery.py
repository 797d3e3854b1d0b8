"""Celery application. Without REDIS_URL, tasks run eagerly in the web process (settings)."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Operations tasks (the worker heartbeat) live outside the apps' tasks modules.
app.autodiscover_tasks(["portal.ops"])


@worker_ready.connect
def _first_heartbeat(**kwargs):
    """A worker that has just started is ready at once for /ready/, before beat's next beat."""
    from portal.ops.heartbeat import record_heartbeat

    record_heartbeat()


def _connect_request_ids():
    """Worker log lines name the web request that queued their task (portal.ops.logs)."""
    from portal.ops import logs

    before_task_publish.connect(logs.add_request_id_to_task, weak=False)
    task_prerun.connect(logs.take_request_id_from_task, weak=False)
    task_postrun.connect(logs.drop_request_id_of_task, weak=False)


_connect_request_ids()
