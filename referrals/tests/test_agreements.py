"""Agreements between a department and employment agencies (issue 15).

A department signs agreements only with the agencies it may contract (reference data kept by the
platform's staff), and reads the cases opened under its own agreements (Case.agreement): a new
agreement with an agency never opens the cases that agency serves under another department's.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Message, Notification
from portal.workflow import ActionError
from referrals.agreements import services as agreement_services
from referrals.cases import services as case_services
from referrals.models import Agreement, ContractableAgency
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

REFUSED_EN = "Your department may not sign an agreement with this agency. Choose one from the list."


@pytest.fixture
def second(world):
    """A second department, its staff (English), and nothing on its list yet."""
    department = OrganizationFactory(kind="department")
    membership = MembershipFactory(
        organization=department, role="referrals.department_staff", user__preferred_language="en"
    )
    return department, membership, verified_client(membership.user, membership=membership)


def _agreement_data(agency, number="D2-001", **changes):
    data = {
        "number": number,
        "agency": agency.pk,
        "start_date": (timezone.localdate() - timedelta(days=400)).isoformat(),
        "funding_active": "on",
        "ecm_enabled": "on",
        "client_tracking": "on",
    }
    data.update(changes)
    return data


def _case_with_document(world):
    case = world.case()
    document = case_services.add_document(
        actor=world.manager,
        case=case,
        document_type="consent",
        description="",
        upload=SimpleUploadedFile("consent.pdf", b"%PDF-1.4 test"),
        content_type="application/pdf",
    )
    return case, document


def _case_urls(case, document):
    return [
        reverse("referrals:case", args=[case.number]),
        reverse("referrals:case_details", args=[case.number]),
        reverse("referrals:needs", args=[case.number]),
        reverse("referrals:plan", args=[case.number]),
        reverse("referrals:notes", args=[case.number]),
        reverse("referrals:outcomes", args=[case.number]),
        reverse("referrals:referrals", args=[case.number]),
        reverse("referrals:documents", args=[case.number]),
        reverse("referrals:document", args=[document.pk]),
    ]


def test_an_agreement_posted_for_an_agency_off_the_list_is_refused_and_opens_nothing(world, second):
    department, membership, client = second
    case, document = _case_with_document(world)
    urls = _case_urls(case, document)
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)

    response = client.post(reverse("referrals:agreement_create"), _agreement_data(world.agency))

    assert response.status_code == 200
    assert response.context["form"].errors["agency"] == [REFUSED_EN]
    assert not Agreement.objects.filter(department=department).exists()
    assert not Notification.objects.exists()
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)


def test_a_legitimate_new_agreement_does_not_open_the_cases_of_another_agreement(
    world, second, django_capture_on_commit_callbacks
):
    department, membership, client = second
    case, document = _case_with_document(world)
    ContractableAgency.objects.create(department=department, agency=world.agency)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referrals:agreement_create"), _agreement_data(world.agency))

    assert response.status_code == 302
    assert Agreement.objects.get(department=department).agency == world.agency
    urls = _case_urls(case, document)
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    # The case list and the case-ID box know nothing of it either.
    listed = client.get(reverse("referrals:case_list")).content.decode()
    assert str(case.number) not in listed
    # The department whose agreement the case was opened under still reads it.
    staff = verified_client(world.staff, membership=world.staff_membership)
    assert [staff.get(url).status_code for url in urls] == [200] * len(urls)


def test_a_case_follows_its_accountability_agreement(world, second):
    """The rule is the case's agreement: a case put under the second department's agreement (as a
    transfer does) is read by that department, and no longer by the first."""
    department, membership, client = second
    case, document = _case_with_document(world)
    ContractableAgency.objects.create(department=department, agency=world.agency)
    agreement = agreement_services.save_agreement(
        actor=membership.user,
        department=department,
        number="D2-002",
        agency=world.agency,
        start_date=timezone.localdate(),
    )
    type(case).objects.filter(pk=case.pk).update(agreement=agreement)

    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.get(reverse("referrals:document", args=[document.pk])).status_code == 200
    staff = verified_client(world.staff, membership=world.staff_membership)
    assert staff.get(case.get_absolute_url()).status_code == 404


def test_the_agreement_form_offers_only_the_agencies_on_the_list(world, second):
    department, membership, client = second
    allowed = OrganizationFactory(kind="employment_agency", name_fr="Agence permise", name="Agence permise")
    closed = OrganizationFactory(kind="employment_agency", is_active=False)
    for agency in (allowed, closed):
        ContractableAgency.objects.create(department=department, agency=agency)

    form = client.get(reverse("referrals:agreement_create")).context["form"]

    assert list(form.fields["agency"].queryset) == [allowed]


def test_the_refusal_is_shown_next_to_the_agency_in_each_language(world, second):
    department, membership, client = second
    for language in ("en", "fr"):
        membership.user.preferred_language = language
        membership.user.save(update_fields=["preferred_language"])
        response = client.post(reverse("referrals:agreement_create"), _agreement_data(world.agency))
        with translation.override(language):
            expected = str(agreement_services.agency_not_contractable_error())
        assert response.context["form"].errors["agency"] == [expected]
        assert expected.replace("'", "&#x27;") in response.content.decode()
    with translation.override("en"):
        assert str(agreement_services.agency_not_contractable_error()) == REFUSED_EN


def test_the_service_refuses_an_agency_off_the_list_whatever_the_caller(world, second):
    department, membership, client = second
    with pytest.raises(ActionError) as error:
        agreement_services.save_agreement(
            actor=membership.user,
            department=department,
            number="D2-003",
            agency=world.agency,
            start_date=timezone.localdate(),
        )
    assert "agency" in error.value.error_dict
    assert not Agreement.objects.filter(number="D2-003").exists()


def test_the_agreement_notice_names_the_department_with_its_article(
    world, second, django_capture_on_commit_callbacks
):
    # French says "par le Ministère…", never "par Ministère…"; English "by the Department…".
    department, membership, client = second
    department.name_fr, department.name_en = (
        "Ministère du Développement social",
        "Department of Social Development",
    )
    department.article_fr, department.article_en = "le", "the"
    department.save()
    ContractableAgency.objects.create(department=department, agency=world.agency)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:agreement_create"), _agreement_data(world.agency))

    notice = Notification.objects.get(recipient=world.supervisor)
    assert notice.title_en == "Agreement D2-001 signed with you by the Department of Social Development"
    assert notice.title_fr == "Entente D2-001 conclue avec vous par le Ministère du Développement social"


def test_a_new_agreement_is_notified_to_the_agency_administrators_and_supervisors(
    world, second, django_capture_on_commit_callbacks
):
    department, membership, client = second
    admin = MembershipFactory(
        organization=world.agency, role="portal.administrator", user__preferred_language="en"
    ).user
    ContractableAgency.objects.create(department=department, agency=world.agency)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:agreement_create"), _agreement_data(world.agency))

    recipients = {notification.recipient for notification in Notification.objects.all()}
    assert recipients == {admin, world.supervisor}  # not the case managers
    notice = Notification.objects.get(recipient=admin)
    assert notice.title_en == f"Agreement D2-001 signed with you by {department.name_en}"
    assert notice.record_number == "D2-001"
    languages = {message.recipient: message.language for message in Message.objects.all()}
    assert languages == {admin: "en", world.supervisor: world.supervisor.preferred_language}
    assert sorted(email.to[0] for email in mail.outbox) == sorted([admin.email, world.supervisor.email])
    english = next(email for email in mail.outbox if email.to == [admin.email])
    assert english.subject == "Liaison: new agreement D2-001"
    assert department.name_en in english.body


def test_the_case_managers_are_told_when_the_agency_has_no_administrator_or_supervisor(
    world, second, django_capture_on_commit_callbacks
):
    department, membership, client = second
    agency = OrganizationFactory(kind="employment_agency")
    manager = MembershipFactory(organization=agency, role="referrals.case_manager").user
    ContractableAgency.objects.create(department=department, agency=agency)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:agreement_create"), _agreement_data(agency))

    assert [notice.recipient for notice in Notification.objects.all()] == [manager]


def test_creating_and_changing_an_agreement_leaves_audit_entries_and_tells_the_agency(
    world, second, django_capture_on_commit_callbacks
):
    department, membership, client = second
    ContractableAgency.objects.create(department=department, agency=world.agency)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:agreement_create"), _agreement_data(world.agency))
    agreement = Agreement.objects.get(number="D2-001")
    created = LogEntry.objects.get_for_object(agreement).get(action=LogEntry.Action.CREATE)
    assert created.actor == membership.user

    url = reverse("referrals:agreement_edit", args=[agreement.pk])
    end = timezone.localdate().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, _agreement_data(world.agency, end_date=end)).status_code == 302
    change = LogEntry.objects.get_for_object(agreement).get(action=LogEntry.Action.UPDATE)
    assert change.actor == membership.user
    assert change.changes_dict["end_date"] == ["None", end]
    assert Notification.objects.filter(
        recipient=world.supervisor, title_en__startswith="Agreement D2-001 changed by"
    ).exists()

    # Saving again with nothing changed leaves no entry and no notice.
    before = Notification.objects.count()
    client.post(url, _agreement_data(world.agency, end_date=end))
    assert LogEntry.objects.get_for_object(agreement).filter(action=LogEntry.Action.UPDATE).count() == 1
    assert Notification.objects.count() == before


def test_another_department_cannot_open_or_change_an_agreement(world, second):
    department, membership, client = second
    agreement = Agreement.objects.get(department=world.department)
    url = reverse("referrals:agreement_edit", args=[agreement.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _agreement_data(world.agency, end_date=timezone.localdate())).status_code == 404
    agreement.refresh_from_db()
    assert agreement.end_date is None


def test_the_agency_of_a_signed_agreement_cannot_be_changed_by_post(world):
    other = OrganizationFactory(kind="employment_agency")
    ContractableAgency.objects.create(department=world.department, agency=other)
    staff = verified_client(world.staff, membership=world.staff_membership)
    agreement = Agreement.objects.get(department=world.department)
    staff.post(
        reverse("referrals:agreement_edit", args=[agreement.pk]),
        _agreement_data(other, number=agreement.number),
    )
    agreement.refresh_from_db()
    assert agreement.agency == world.agency


def test_a_number_another_agreement_has_is_refused_next_to_the_field_in_plain_words(world, second):
    department, membership, client = second
    ContractableAgency.objects.create(department=department, agency=world.agency)
    taken = Agreement.objects.filter(agency=world.agency).first().number
    response = client.post(reverse("referrals:agreement_create"), _agreement_data(world.agency, number=taken))
    assert response.status_code == 200
    with translation.override("en"):
        assert [str(error) for error in response.context["form"].errors["number"]] == [
            "Another agreement already has this number."
        ]
