from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.agreements import services as agreement_services
from referrals.cases import services as case_services
from referrals.models import Agreement, Barrier, FundingType, InterventionType, Program, ReferralType
from referrals.partners import services as partner_services
from referrals.plans import services as plan_services
from referrals.reference import ensure_reference_data
from referrals.referrals import services as referral_services
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client


class World:
    """A department, its agency under agreement (two case managers, a supervisor), another agency."""

    def __init__(self):
        today = timezone.localdate()
        self.department = OrganizationFactory(kind="department")
        self.agency = OrganizationFactory(kind="employment_agency")
        self.other_agency = OrganizationFactory(kind="employment_agency")
        for number, agency in enumerate((self.agency, self.other_agency)):
            Agreement.objects.create(
                number=f"A-{number}",
                department=self.department
                if agency == self.agency
                else OrganizationFactory(kind="department"),
                agency=agency,
                start_date=today - timedelta(days=100),
            )
        self.manager_membership = MembershipFactory(
            organization=self.agency, role="referrals.case_manager", user__preferred_language="en"
        )
        self.manager = self.manager_membership.user
        self.colleague_membership = MembershipFactory(organization=self.agency, role="referrals.case_manager")
        self.colleague = self.colleague_membership.user
        self.supervisor_membership = MembershipFactory(
            organization=self.agency, role="referrals.agency_supervisor"
        )
        self.supervisor = self.supervisor_membership.user
        self.staff_membership = MembershipFactory(
            organization=self.department, role="referrals.department_staff", user__preferred_language="en"
        )
        self.staff = self.staff_membership.user
        self.outsider_membership = MembershipFactory(
            organization=self.other_agency, role="referrals.case_manager", user__preferred_language="en"
        )
        self.outsider = self.outsider_membership.user
        self.office = agreement_services.save_office(agency=self.agency, name="Moncton", city="Moncton")
        self.other_office = agreement_services.save_office(
            agency=self.other_agency, name="Halifax", city="Halifax"
        )
        self.ecm = Program.objects.get(code="ecm")
        self.edmt = FundingType.objects.get(code="edmt")
        self.workshop = InterventionType.objects.select_related("dimension").get(code="js-workshop")
        self.training = InterventionType.objects.select_related("dimension").get(
            code="se-job-specific-formal"
        )
        self.public_partner = partner_services.save_partner(name="Collège communautaire", city="Dieppe")
        self.private_partner = partner_services.save_partner(
            agency=self.agency, name="Atelier privé", city="Shediac"
        )
        self.outsider_partner = partner_services.save_partner(
            agency=self.other_agency, name="Autre privé", city="Halifax"
        )

    def case(
        self, *, status="plan_development", manager=None, agency=None, first_name="Jane", last_name="Johnson"
    ):
        manager = manager or self.manager
        agency = agency or self.agency
        person = case_services.save_person(first_name=first_name, last_name=last_name)
        case = case_services.open_case(
            actor=manager,
            agency=agency,
            person=person,
            program=self.ecm,
            office=self.office if agency == self.agency else self.other_office,
            case_manager=manager,
        )
        if status == "intake":
            return case
        plan_services.save_needs_determination(
            actor=manager,
            case=case,
            barriers=list(Barrier.objects.filter(code__in=["resume", "essential-skills"])),
            comments="",
            complete_assessment_now=status != "assessment",
        )
        case.refresh_from_db()
        if status in ("plan_management", "follow_up", "closed"):
            self.intervention(case)
            case = case_services.start_plan_management(actor=manager, case=case)
        if status in ("follow_up", "closed"):
            case = case_services.start_follow_up(actor=manager, case=case)
        if status == "closed":
            case = case_services.close_case(actor=manager, case=case, reason="Employed")
        return case

    def intervention(self, case, *, funded=False, start_in=5, length=10, **changes):
        today = timezone.localdate()
        kind = self.training if funded else self.workshop
        values = dict(
            dimension=kind.dimension,
            funding_requested=funded,
            intervention_type=kind,
            funding_type=self.edmt if funded else None,
            delivery_model="external",
            planned_start=today + timedelta(days=start_in),
            planned_end=today + timedelta(days=start_in + length),
            description="",
            local_coordinator=None,
            delivering_organization=self.public_partner,
        )
        values.update(changes)
        return plan_services.add_intervention(actor=case.case_manager, case=case, **values)

    def referral(self, kind=ReferralType.TRANSFER, case=None, **changes):
        """A draft referral by the agency's case manager, filled in: to the other agency (network
        types; its general email when `email_to` is blank) or to an outside organization. `changes`
        override its fields; the case is a new one unless given."""
        case = case or self.case()
        referral = referral_services.create_referral(actor=self.manager, case=case, referral_type=kind)
        values = dict(
            contact_person="Denise Gallant",
            email_to="",
            language=referral.language,
            template=referral.template,
            subject=referral.subject,
            body=referral.body,
            notes="",
        )
        if kind == ReferralType.OUTSIDE:
            values.update(organization_name="Centre Sainte-Anne", email_to="accueil@example.ca")
        else:
            values.update(agency=self.other_agency)
        values.update(changes)
        return referral_services.update_referral(actor=self.manager, referral=referral, **values)

    def send(self, referral, capture):
        """The draft sent by the agency's case manager, its on-commit work (the email) run;
        `capture` is pytest-django's django_capture_on_commit_callbacks."""
        with capture(execute=True):
            return referral_services.send_referral(actor=self.manager, referral=referral)

    def receive(self, transfer, capture):
        """The other agency's case manager completes a sent transfer, at a new Dieppe office."""
        office = agreement_services.save_office(agency=self.other_agency, name="Dieppe", city="Dieppe")
        with capture(execute=True):
            return referral_services.complete_transfer(
                actor=self.outsider,
                referral=transfer,
                office=office,
                case_manager=self.outsider,
                agreement=Agreement.objects.get(agency=self.other_agency),
                delivery_location=office,
            )


@pytest.fixture
def world(db):
    ensure_reference_data()
    return World()


@pytest.fixture
def network(world):
    """The other agency receives network referrals: client tracking on, and a general email."""
    Agreement.objects.filter(agency=world.other_agency).update(client_tracking=True)
    world.other_agency.contact_email = "intake@newpath.example.ca"
    world.other_agency.save()
    return world


@pytest.fixture
def manager(world):
    """The agency's case manager, signed in."""
    return verified_client(world.manager, membership=world.manager_membership)


@pytest.fixture
def staff(world):
    """The department's staff member, signed in."""
    return verified_client(world.staff, membership=world.staff_membership)
