"""seed_demo prints every demo account, the ones the apps add included (worker2, issue 18)."""

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-03 15:00:00+00:00", tick=False)
def test_seed_demo_lists_the_second_department_worker():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "worker@demo.liaison.ca" in text
    line = next(line for line in text.splitlines() if "worker2@demo.liaison.ca" in line)
    assert "orders.department_worker" in line and " en " in line
    # The portal's accounts keep their order, first.
    assert text.index("admin@demo.liaison.ca") < text.index("worker@demo.liaison.ca") < text.index("worker2@")
