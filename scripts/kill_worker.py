#!/usr/bin/env python
"""Kill a Celery worker mid-batch and count what became of the emails: sent, duplicated, lost.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python scripts/kill_worker.py [--batch 40]

Uses the stack's PostgreSQL (migrated) and Redis, on a queue of its own (so the stack's own workers
never take these tasks), with workers it starts itself whose email goes to files in a temporary
folder (nothing leaves the machine). It queues a batch through portal.services.notify, sends
SIGKILL to the worker (and its pool) while every pool process is in the middle of a send, starts
a new worker and waits until every message is sent or the deadline passes. Prints the figures; the
exit status is 1 when an email was lost or sent twice. The batch's Message rows stay in the database
(keys `kill-worker:<run>:<n>`). tests/test_live_outage.py runs the same measure in the suite.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=40, help="emails queued (40)")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds each send takes (0.5)")
    parser.add_argument("--kill-after", type=int, default=8, help="sent before the kill (8)")
    parser.add_argument("--deadline", type=float, default=150, help="seconds to wait after the kill (150)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL, migrated) and REDIS_URL of the stack to measure.")
    run = uuid.uuid4().hex[:8]
    # A queue of this run's own: the publisher below and the workers it starts both read it.
    os.environ["CELERY_QUEUE"] = f"kill-worker-{run}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from config.celery import app
    from portal import services
    from portal.models import Message, MessageStatus
    from tests import live

    assert app.conf.task_always_eager is False
    batch = Message.objects.filter(key__startswith=f"kill-worker:{run}:")

    def sent():
        return batch.filter(status=MessageStatus.SENT).count()

    with tempfile.TemporaryDirectory(prefix="kill-worker-") as directory:
        workers = []

        def start(delay):
            worker = live.Worker(
                Path(directory) / f"worker{len(workers)}",
                redis_url=settings.REDIS_URL,
                database_url=os.environ["DATABASE_URL"],
                email_delay=delay,
                name=f"kill-worker-{run}",
            )
            workers.append(worker)
            return worker.start()

        try:
            first = start(args.delay)
            first.wait_ready(app)
            addresses = [f"kill-worker-{run}-{number}@example.ca" for number in range(args.batch)]
            for number, address in enumerate(addresses):
                services.notify(
                    key=f"kill-worker:{run}:{number}",
                    template="portal/emails/task_assigned",
                    email=address,
                    language="en",
                    link="/",
                    context={"due_date": "2026-12-01"},
                )
            in_flight = first.kill_mid_send(when=lambda: sent() >= args.kill_after)
            if in_flight is None:
                sys.exit(f"No moment with every pool process sending; worker log:\n{first.log()}")
            killed_at, clock = timezone.now(), time.monotonic()
            sent_before = sent()
            second = start(0)
            live.wait_for(lambda: sent() == args.batch, args.deadline, interval=0.5)
            seconds = time.monotonic() - clock
            counts = first.delivered()
            for address, count in second.delivered().items():
                counts[address] = counts.get(address, 0) + count
        finally:
            for worker in workers:
                worker.kill()

    lost = [address for address in addresses if address not in counts]
    duplicated = {address: count for address, count in counts.items() if count > 1}
    lost_in_flight = [
        f"{(sent_at - killed_at).total_seconds():.1f} s" if sent_at else "never"
        for sent_at in batch.filter(to_address__in=in_flight).values_list("sent_at", flat=True)
    ]
    print(f"queued {args.batch}, sent before the kill {sent_before}, in flight at the kill {len(in_flight)}")
    print(f"delivered {sum(counts.values())}, duplicated {len(duplicated)}, lost {len(lost)}")
    print(f"in-flight messages delivered after the kill: {', '.join(lost_in_flight)}")
    print(f"all {sent()} of {args.batch} sent {seconds:.1f} s after the kill")
    return 1 if lost or duplicated else 0


if __name__ == "__main__":
    sys.exit(main())
