"""The business partner screens, end to end through the test client."""

import pytest
from django.urls import reverse

from referrals.models import BusinessPartner
from referrals.partners import services as partner_services
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


# Business partners ---------------------------------------------------------------------------------


def test_partner_search_by_name_service_and_place(world, manager):
    from referrals.models import PartnerService

    training = PartnerService.objects.get(code="training")
    world.public_partner.services.add(training)
    response = manager.get(reverse("referrals:partner_list"), {"service": training.pk, "city": "diep"})
    assert [row.record for row in response.context["table"].page.object_list] == [world.public_partner]
    response = manager.get(reverse("referrals:partner_list"))
    names = {row.record.name for row in response.context["table"].page.object_list}
    assert names == {"Collège communautaire", "Atelier privé"}


def test_a_case_manager_adds_a_private_partner_and_the_department_a_public_one(world, manager, staff):
    manager.post(
        reverse("referrals:partner_create"), {"name": "Garage Léger", "city": "Cap-Pelé", "is_active": "on"}
    )
    assert BusinessPartner.objects.get(name="Garage Léger").agency == world.agency
    staff.post(
        reverse("referrals:partner_create"),
        {"name": "Université de Moncton", "city": "Moncton", "is_active": "on"},
    )
    assert BusinessPartner.objects.get(name="Université de Moncton").agency is None
    assert manager.get(reverse("referrals:partner_edit", args=[world.public_partner.pk])).status_code == 403
    assert manager.get(reverse("referrals:partner", args=[world.outsider_partner.pk])).status_code == 404


def test_the_partner_list_costs_the_same_queries_for_1_and_50(world, manager):
    counter = iter(range(1000))
    assert_constant_queries(
        manager,
        reverse("referrals:partner_list"),
        lambda count: [
            partner_services.save_partner(name=f"P{next(counter)}", city="X") for _ in range(count)
        ],
    )
