"""Dashboard exports by persona (issue 18). The guide: the dashboard's reports "can be viewed and
exported", and care coordination works from them. Decision: every provider persona exports the
order lists; the service reports go with opening reports (care coordination); the mileage, a
billing figure, stays with finance. The button shows exactly where the export is allowed."""

import pytest
from django.urls import reverse

from portal.models import Export
from tests.helpers import verified_client

SUMMARY_BLOCKS = ("all", "new", "expiring", "activated", "terminated", "expired")
MAY_EXPORT = {
    "coordinator": {*SUMMARY_BLOCKS, "reports"},
    "finance": {*SUMMARY_BLOCKS, "mileage"},
    "both": {*SUMMARY_BLOCKS, "reports", "mileage"},
}
# Finance does not open service reports at all: their page is refused before any export.
MAY_VIEW = {
    "coordinator": {*SUMMARY_BLOCKS, "reports", "mileage"},
    "finance": {*SUMMARY_BLOCKS, "mileage"},
    "both": {*SUMMARY_BLOCKS, "reports", "mileage"},
}


@pytest.mark.parametrize("persona", sorted(MAY_EXPORT))
@pytest.mark.parametrize("block", [*SUMMARY_BLOCKS, "reports", "mileage"])
def test_each_persona_exports_what_the_decision_says_and_sees_the_button_only_there(world, persona, block):
    world.activated()
    user = getattr(world, persona)
    client = verified_client(user, membership=getattr(world, f"{persona}_membership"))
    export_url = reverse("orders:dashboard_export", args=[block, "csv"])
    response = client.post(export_url)
    if block in MAY_EXPORT[persona]:
        assert response.status_code == 302
        assert Export.objects.filter(user=user).count() == 1
    else:
        assert response.status_code == 403
        assert not Export.objects.filter(user=user).exists()
    page = client.get(reverse("orders:dashboard_report", args=[block]))
    if block not in MAY_VIEW[persona]:
        assert page.status_code == 403
        return
    assert (f'action="{export_url}"' in page.content.decode()) == (block in MAY_EXPORT[persona])
    dashboard = client.get(reverse("orders:dashboard")).content.decode()
    assert (f'action="{export_url}"' in dashboard) == (block in MAY_EXPORT[persona])


def test_the_department_has_no_dashboard_to_export(world):
    client = verified_client(world.worker, membership=world.worker_membership)
    assert client.post(reverse("orders:dashboard_export", args=["all", "csv"])).status_code == 403
