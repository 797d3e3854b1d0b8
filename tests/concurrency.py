"""The harness of the row-lock tests (PostgreSQL): calls made at the same instant, each in a thread
of its own with its own database connection, and what became of each."""

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from portal.workflow import ActionError


def require_postgres():
    """Skip the test unless it runs on PostgreSQL (SQLite has no row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")


def race(*calls):
    """Start the calls together (a barrier) and wait for all of them. Returns one outcome a call, in
    the order they finished: "done", or the messages of the ActionError that refused it. English for
    the whole thread: lazy messages are read after the call, not inside it."""
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        with translation.override("en"):
            try:
                barrier.wait()
                call()
                outcomes.append("done")
            except ActionError as error:
                outcomes.append(" ".join(error.messages))
            finally:
                connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
