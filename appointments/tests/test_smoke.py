import pytest
from django.urls import reverse

from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def test_every_page_opens(world):
    pilot = verified_client(world.pilot, membership=world.memberships["pilot"])
    slot = world.slot()
    world.book(slot)
    for name, kwargs in [
        ("checklist", {}),
        ("service_list", {}),
        ("service_create", {}),
        ("service_edit", {"pk": world.first.pk}),
        ("location_list", {}),
        ("location_create", {}),
        ("location_edit", {"pk": world.location_a.pk}),
        ("resource_list", {}),
        ("resource_create", {}),
        ("resource_edit", {"pk": world.team_a.pk}),
        ("resource_associations", {"pk": world.team_a.pk}),
        ("account_create", {}),
        ("account_edit", {"pk": world.manager1.pk}),
        ("account_roles", {"pk": world.manager1.pk}),
        ("role_create", {"account_pk": world.manager1.pk}),
        ("role_edit", {"pk": world.memberships["manager1"].pk}),
        ("communications", {}),
        ("public_page_settings", {}),
        ("public_page_preview", {}),
        ("public_page", {"organization_id": world.clinic.pk}),
    ]:
        response = pilot.get(reverse(f"appointments:{name}", kwargs=kwargs))
        assert response.status_code == 200, name
    manager = verified_client(world.manager1, membership=world.memberships["manager1"])
    for url in [
        reverse("appointments:calendar"),
        reverse("appointments:calendar") + "?view=day",
        reverse("appointments:calendar") + "?view=month",
        reverse("appointments:calendar") + "?display=list",
        reverse("appointments:slot_create"),
        reverse("appointments:slot", kwargs={"pk": slot.pk}),
        reverse("appointments:clone"),
    ]:
        response = manager.get(url)
        assert response.status_code == 200, url
