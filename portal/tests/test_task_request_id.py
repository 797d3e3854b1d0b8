"""A worker's log lines for a task carry the id of the web request that queued it (issue 17):
the id travels in the task message's headers (portal.ops.logs, connected in config/celery.py)."""

import logging

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish, task_postrun, task_prerun

from portal.ops import logs


@pytest.fixture
def app():
    """A throw-away Celery app on an in-memory broker, with the project's three handlers."""
    app = Celery("request-id-test", broker="memory://", backend="cache+memory://")
    app.conf.task_always_eager = False
    seen = []

    @app.task(name="request_id_test.log_line")
    def log_line():
        record = logging.LogRecord("liaison.test", logging.INFO, __file__, 1, "in the task", (), None)
        logs.RequestContextFilter().filter(record)
        seen.append(record.request_id)
        return record.request_id

    app.seen = seen
    app.log_line = log_line
    return app


def test_the_request_id_travels_with_the_task_and_is_dropped_after_it(app):
    with start_worker(app, perform_ping_check=False, pool="solo"):
        token = logs._request_id.set("abcdef0123456789")
        try:
            first = app.log_line.delay()
        finally:
            logs._request_id.reset(token)
        second = app.log_line.delay()  # queued outside any request
        assert first.get(timeout=10) == "abcdef0123456789"
        assert second.get(timeout=10) is None
    assert app.seen == ["abcdef0123456789", None]


def test_a_header_that_is_not_an_id_is_not_logged(app):
    headers = {logs.TASK_HEADER: "not an id\nwith a new line"}

    class Task:
        class request:
            liaison_request_id = headers[logs.TASK_HEADER]

    task = Task()
    logs.take_request_id_from_task(task=task)
    assert logs.current_request_id() is None
    logs.drop_request_id_of_task(task=task)


def test_the_handlers_are_connected_by_the_project_celery_app():
    import config.celery  # noqa: F401

    for signal, handler in (
        (before_task_publish, logs.add_request_id_to_task),
        (task_prerun, logs.take_request_id_from_task),
        (task_postrun, logs.drop_request_id_of_task),
    ):
        assert handler in [receiver for _key, receiver in signal.receivers]
