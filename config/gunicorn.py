"""gunicorn settings for production (docker-compose's web, scripts/compose_smoke.py).

    gunicorn -c config/gunicorn.py config.wsgi:application

GUNICORN_BIND (default 0.0.0.0:8000) and WEB_CONCURRENCY (workers, default 3) come from the
environment. gunicorn's own access log is off: Liaison writes one JSON line per request itself
(portal.ops.logs), with the request id and without the query string, which gunicorn's access log
would carry (%(r)s, %(q)s) along with the Referer (%(f)s) of the page before.

Prometheus: each worker counts its own requests in files under PROMETHEUS_MULTIPROC_DIR, added up
at scrape time (prometheus-client's multiprocess mode, portal.ops.metrics). The folder is emptied
when gunicorn starts so that counts of an earlier run do not linger.
"""

import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
accesslog = None
errorlog = "-"
# Behind the TLS-terminating proxy (X-Forwarded-Proto is read by Django, SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

multiprocess_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "liaison-prometheus")
)


def on_starting(server):
    shutil.rmtree(multiprocess_dir, ignore_errors=True)
    os.makedirs(multiprocess_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
