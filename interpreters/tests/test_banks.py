"""Two interpreter banks: each sees, offers, bills and decides only its own records.

Bank 1 is the world's (it serves the hospital and the clinic); bank 2 serves a third
establishment and has its own coordinator and interpreter. Another bank's record is a 404.
"""

import pytest
from django.test import Client
from django.urls import reverse

from interpreters import selectors
from interpreters.billing import services as billing
from interpreters.models import (
    CostCentre,
    Rate,
    Registration,
    RegistrationStatus,
    Request,
    ServedEstablishment,
    Statement,
)
from interpreters.registrations import services as registration_services
from interpreters.requests import services
from portal.models import Membership
from portal.workflow import ActionError
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


class SecondBank:
    def __init__(self, world):
        self.bank = OrganizationFactory(kind="interpreter_bank")
        self.establishment = OrganizationFactory(kind="health_establishment")
        ServedEstablishment.objects.create(establishment=self.establishment, bank=self.bank)
        billing.ensure_rates(bank=self.bank)
        self.coordinator_membership = MembershipFactory(
            organization=self.bank, role="interpreters.coordinator", user__preferred_language="en"
        )
        self.coordinator = self.coordinator_membership.user
        self.requester_membership = MembershipFactory(
            organization=self.establishment, role="interpreters.requester", user__preferred_language="en"
        )
        self.requester = self.requester_membership.user
        self.centre = CostCentre.objects.create(establishment=self.establishment, code="9000", name="Accueil")
        # Speaks Arabic and lives next to the world's requests: still never offered bank 1's.
        self.interpreter_membership, self.interpreter = world.interpreter("H2X 1Y4", ["ar"], bank=self.bank)

    def request(self, world, **changes):
        return services.create_request(
            actor=self.requester,
            establishment=self.establishment,
            **world.values(cost_centre=self.centre, **changes),
        )[0]


@pytest.fixture
def second(world):
    return SecondBank(world)


@pytest.fixture
def coordinator2(second):
    return verified_client(second.coordinator, membership=second.coordinator_membership)


def coordinator1_page(world, query=""):
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    return client.get(reverse("interpreters:queue") + query).content.decode()


def _registration(establishment, email="nadine@example.ca"):
    return registration_services.register_requester(
        first_name="Nadine",
        last_name="Bélanger",
        email=email,
        phone="",
        establishment=establishment,
        job_title="Social worker",
        preferred_language="fr",
    )


def test_it_gives_a_request_the_bank_that_serves_its_establishment(world, second):
    assert world.request().bank == world.bank
    assert second.request(world).bank == second.bank


def test_it_refuses_a_request_from_an_establishment_no_bank_serves(world):
    lonely = OrganizationFactory(kind="health_establishment")
    centre = CostCentre.objects.create(establishment=lonely, code="1", name="C")
    with pytest.raises(ActionError):
        services.create_request(
            actor=world.requester, establishment=lonely, **world.values(cost_centre=centre)
        )
    assert not Request.objects.exists()


def test_a_coordinator_of_another_bank_gets_404_on_every_record_of_the_first(
    world, second, coordinator2, django_capture_on_commit_callbacks
):
    request = world.validated()
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=request.date)
    statement = Statement.objects.filter(bank=world.bank).first()
    registration = _registration(world.hospital)
    rate = Rate.objects.filter(bank=world.bank).first()
    urls = [
        reverse("interpreters:request", args=[request.pk]),
        reverse("interpreters:request_cancel", args=[request.pk]),
        reverse("interpreters:assign", args=[request.pk]),
        reverse("interpreters:completion_correct", args=[request.pk]),
        reverse("interpreters:interpreter_edit", args=[world.near.pk]),
        reverse("interpreters:statement", args=[statement.pk]),
        reverse("interpreters:registration_decide", args=[registration.pk]),
        reverse("interpreters:rate_edit", args=[rate.pk]),
    ]
    for url in urls:
        assert coordinator2.get(url).status_code == 404, url
    # Acting is refused the same way, and nothing changes.
    response = coordinator2.post(
        reverse("interpreters:registration_decide", args=[registration.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.PENDING
    response = coordinator2.post(reverse("interpreters:coordinator_action", args=[request.pk, "validate"]))
    assert response.status_code == 404


def test_the_lists_of_another_bank_show_none_of_the_first_banks_rows(world, second, coordinator2):
    request = world.request(language=world.spanish)
    validated = world.validated()
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=validated.date)
    _registration(world.hospital)
    own = second.request(world)
    own_registration = _registration(second.establishment, email="other@example.ca")

    queue = coordinator2.get(reverse("interpreters:queue")).content.decode()
    assert own.number in queue and request.number not in queue
    accepted = services.accept_offer(
        actor=world.far.user,
        request=services.assign_interpreter(
            actor=world.coordinator, request=world.request(), interpreter=world.far
        ),
    )
    confirm = coordinator2.get(reverse("interpreters:queue") + "?tab=confirm").content.decode()
    assert accepted.number not in confirm
    assert accepted.number in coordinator1_page(world, "?tab=confirm")
    people = coordinator2.get(reverse("interpreters:interpreters")).content.decode()
    assert second.interpreter.user.last_name in people
    # By their detail links: a generated last name ("Ho") can be part of a column heading.
    for interpreter in (world.near, world.far):
        assert reverse("interpreters:interpreter_edit", args=[interpreter.pk]) not in people
    assert reverse("interpreters:interpreter_edit", args=[second.interpreter.pk]) in people
    registrations = coordinator2.get(reverse("interpreters:registrations")).content.decode()
    assert own_registration.email in registrations and "nadine@example.ca" not in registrations
    statements = coordinator2.get(reverse("interpreters:statements")).content.decode()
    # Bank 2 has issued nothing: any statement number on its page would be bank 1's.
    assert not selectors.statements(second.coordinator).exists()
    for statement in Statement.objects.filter(bank=world.bank):
        assert statement.number not in statements
    assert set(selectors.rates(second.coordinator)) == set(Rate.objects.filter(bank=second.bank))
    assert list(selectors.requests_for(second.coordinator)) == [own]


def test_interpreters_are_offered_only_their_banks_requests(world, second):
    request = world.request()
    suggested = [row["interpreter"] for row in selectors.suggestions(request)]
    assert second.interpreter not in suggested and world.near in suggested
    assert second.interpreter not in selectors.other_interpreters(request)
    with pytest.raises(ActionError):
        services.assign_interpreter(actor=world.coordinator, request=request, interpreter=second.interpreter)
    own = second.request(world)
    assert [row["interpreter"] for row in selectors.suggestions(own)] == [second.interpreter]


def test_a_coordinator_cannot_pick_another_banks_interpreter_on_the_assign_page(world, second):
    request = world.request()
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    client.post(reverse("interpreters:assign", args=[request.pk]), {"interpreter": second.interpreter.pk})
    request.refresh_from_db()
    assert request.interpreter is None and request.status == "submitted"


def test_an_interpreter_of_another_bank_never_sees_the_first_banks_requests(world, second):
    request = world.confirmed()
    client = verified_client(second.interpreter.user, membership=second.interpreter_membership)
    for url in (
        reverse("interpreters:request", args=[request.pk]),
        reverse("interpreters:offer_answer", args=[request.pk, "accept"]),
        reverse("interpreters:completion_record", args=[request.pk]),
        reverse("interpreters:request_ics", args=[request.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert request.number not in client.get(reverse("interpreters:my_work")).content.decode()


def test_statements_are_issued_and_numbered_per_bank(world, second):
    first = world.validated()
    own = second.request(world)
    own = services.assign_interpreter(actor=second.coordinator, request=own, interpreter=second.interpreter)
    own = services.accept_offer(actor=second.interpreter.user, request=own)
    services.confirm_request(actor=second.coordinator, request=own)
    issued = billing.issue_statements(actor=second.coordinator, bank=second.bank, month=first.date)
    assert issued == []  # bank 2 has nothing to bill that month; bank 1's service is not its
    issued = billing.issue_statements(actor=world.coordinator, bank=world.bank, month=first.date)
    assert {statement.bank for statement in issued} == {world.bank}
    assert all(line.request.bank == world.bank for s in issued for line in s.lines.all())


def test_a_rate_change_in_one_bank_leaves_the_other_banks_rates(world, second):
    rate = Rate.objects.get(bank=second.bank, modality="in_person")
    billing.save_rate(rate=rate, hourly_rate="99.00")
    assert str(Rate.objects.get(bank=world.bank, modality="in_person").hourly_rate) == "65.00"


def test_a_sign_up_goes_to_the_bank_of_the_establishment_and_is_approved_into_it(
    world, second, coordinator2, django_capture_on_commit_callbacks
):
    Client().post(
        reverse("interpreters:sign_up"),
        {
            "first_name": "Nadine",
            "last_name": "Bélanger",
            "email": "nadine@example.ca",
            "establishment": second.establishment.pk,
            "job_title": "Social worker",
            "preferred_language": "fr",
        },
    )
    registration = Registration.objects.get()
    assert registration.bank == second.bank
    # Only bank 2's coordinators are told, and only they decide.
    assert registration not in selectors.pending_registrations(world.coordinator)
    coordinator1 = verified_client(world.coordinator, membership=world.coordinator_membership)
    assert (
        coordinator1.get(reverse("interpreters:registration_decide", args=[registration.pk])).status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        coordinator2.post(
            reverse("interpreters:registration_decide", args=[registration.pk]), {"decision": "approve"}
        )
    membership = Membership.objects.get(user__email="nadine@example.ca")
    assert (membership.organization, membership.role) == (second.establishment, "interpreters.requester")
    assert selectors.bank_of(membership.organization) == second.bank


def test_the_sign_up_offers_only_establishments_a_bank_serves(world, second):
    lonely = OrganizationFactory(kind="health_establishment")
    page = Client().get(reverse("interpreters:sign_up")).content.decode()
    assert second.establishment.name in page and world.hospital.name in page
    assert lonely.name not in page
