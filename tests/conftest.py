# Browser fixtures, registered once for every suite that drives Chromium.
from tests.browser import browser, context  # noqa: F401
