"""Settings of the worker the live tests start (tests/live.py): the project's own settings, with
email written by tests.live.MarkedFileBackend into LIVE_MAIL_DIR."""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.live.MarkedFileBackend"
EMAIL_FILE_PATH = os.environ["LIVE_MAIL_DIR"]
