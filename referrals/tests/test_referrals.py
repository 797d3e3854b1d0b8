"""Referrals (three types) and case transfer, end to end through the services and the screens."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from portal.models import Notification, Task
from portal.workflow import ActionError
from referrals.agreements import services as agreement_services
from referrals.cases import services as case_services
from referrals.models import (
    Agreement,
    Case,
    CorrespondenceTemplate,
    Referral,
    ReferralStatus,
    ReferralType,
    TransferStatus,
)
from referrals.referrals import delivery
from referrals.referrals import services as referral_services
from tests.factories import OrganizationFactory
from tests.helpers import search, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    return verified_client(world.manager, membership=world.manager_membership)


@pytest.fixture
def receiver(world):
    return verified_client(world.outsider, membership=world.outsider_membership)


def _form_data(referral, **changes):
    data = {
        "agency": referral.agency_id or "",
        "organization_name": referral.organization_name,
        "contact_person": referral.contact_person,
        "email_to": referral.email_to,
        "language": referral.language,
        "template": referral.template_id or "",
        "subject": referral.subject,
        "body": referral.body,
        "notes": referral.notes,
        "action": "save",
    }
    data.update(changes)
    return data


def _pdf_text(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# Drafts ----------------------------------------------------------------------------------------


def test_a_new_referral_starts_from_the_default_template_in_my_language(network):
    referral = referral_services.create_referral(
        actor=network.manager, case=network.case(), referral_type="within"
    )
    assert referral.status == ReferralStatus.DRAFT
    assert referral.language == "en"
    assert referral.template.referral_type == "within"
    assert referral.template.language == "en"
    assert referral.subject == referral.template.default_subject


def test_only_network_agencies_with_tracking_are_offered(network):
    closed = OrganizationFactory(kind="employment_agency")
    Agreement.objects.create(
        number="X",
        department=network.department,
        agency=closed,
        start_date="2020-01-01",
        client_tracking=False,
    )
    agencies = list(referral_services.network_agencies(excluding=network.agency))
    assert agencies == [network.other_agency]


def test_an_agency_outside_the_list_posted_by_hand_is_refused(network, manager):
    closed = OrganizationFactory(kind="employment_agency")
    referral = network.referral()
    response = manager.post(
        reverse("referrals:referral_edit", args=[referral.case.number, referral.pk]),
        _form_data(referral, agency=closed.pk, contact_person="Changed"),
    )
    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    referral.refresh_from_db()
    assert referral.agency == network.other_agency
    assert referral.contact_person == "Denise Gallant"
    with pytest.raises(ActionError):
        referral_services.update_referral(
            actor=network.manager, referral=referral, agency=network.agency, language="en"
        )


def test_email_to_fills_with_the_agencys_general_address_and_stays_editable(network, manager):
    referral = network.referral()
    assert referral.email_to == "intake@newpath.example.ca"
    manager.post(
        reverse("referrals:referral_edit", args=[referral.case.number, referral.pk]),
        _form_data(referral, email_to="denise@newpath.example.ca"),
    )
    referral.refresh_from_db()
    assert referral.email_to == "denise@newpath.example.ca"


def test_a_malformed_email_is_refused_next_to_the_field(network, manager):
    referral = network.referral(ReferralType.OUTSIDE)
    response = manager.post(
        reverse("referrals:referral_edit", args=[referral.case.number, referral.pk]),
        _form_data(referral, email_to="not an email"),
    )
    assert "email_to" in response.context["form"].errors
    referral.refresh_from_db()
    assert referral.email_to == "accueil@example.ca"


def test_changing_the_language_resets_the_subject_and_body_to_the_template(network, manager):
    referral = network.referral(subject="My own subject")
    manager.post(
        reverse("referrals:referral_edit", args=[referral.case.number, referral.pk]),
        _form_data(referral, language="fr", action="language", contact_person="Kept"),
    )
    referral.refresh_from_db()
    assert referral.language == "fr"
    assert referral.template.language == "fr"
    assert referral.template.code == "transfer"
    assert referral.subject == referral.template.default_subject
    assert referral.contact_person == "Kept"


def test_a_template_of_another_type_is_refused(network):
    referral = network.referral()
    other = CorrespondenceTemplate.objects.get(code="outside", language="en")
    with pytest.raises(ActionError) as error:
        referral_services.update_referral(
            actor=network.manager, referral=referral, template=other, language="en"
        )
    assert "template" in error.value.error_dict


def test_cancelling_a_draft_deletes_it_after_confirming(network, manager):
    referral = network.referral()
    url = reverse("referrals:referral_cancel", args=[referral.case.number, referral.pk])
    assert "Once done, you cannot change your mind." in manager.get(url).content.decode()
    manager.post(url)
    assert not Referral.objects.exists()


def test_the_referral_list_opens_a_row_to_every_field(network, manager):
    referral = network.referral()
    url = reverse("referrals:referrals", args=[referral.case.number])
    closed = manager.get(url).content.decode()
    assert f'id="referral-details-{referral.pk}" hidden' in closed
    opened = manager.get(url, {"open": referral.pk}).content.decode()
    assert f'id="referral-details-{referral.pk}" hidden' not in opened
    assert "Denise Gallant" in opened


# Sending ---------------------------------------------------------------------------------------


def test_sending_emails_the_letter_as_a_pdf_from_no_reply(
    network, manager, django_capture_on_commit_callbacks, settings
):
    referral = network.referral(ReferralType.OUTSIDE)
    url = reverse("referrals:referral_send", args=[referral.case.number, referral.pk])
    assert "Are you sure you want to send this referral?" in manager.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(url)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EMAILED
    assert referral.emailed_at is not None
    (email,) = mail.outbox
    assert email.to == ["accueil@example.ca"]
    assert email.from_email == settings.REFERRAL_FROM_EMAIL
    assert email.subject == referral.subject
    assert "Johnson" not in email.subject and "Johnson" not in email.body
    name, content, mimetype = email.attachments[0]
    assert mimetype == "application/pdf"
    text = _pdf_text(content)
    assert "Jane Johnson" in text
    assert str(referral.case.number) in text
    assert network.agency.name in text
    assert "Centre Sainte-Anne" in text


def test_a_sent_referral_cannot_be_changed(network, manager, django_capture_on_commit_callbacks):
    referral = network.send(network.referral(ReferralType.OUTSIDE), django_capture_on_commit_callbacks)
    response = manager.post(
        reverse("referrals:referral_edit", args=[referral.case.number, referral.pk]),
        _form_data(referral, contact_person="Changed"),
        follow=True,
    )
    assert "can no longer be changed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.contact_person == "Denise Gallant"
    with pytest.raises(ActionError):
        referral_services.update_referral(
            actor=network.manager, referral=referral, contact_person="x", language="en"
        )
    with pytest.raises(ActionError):
        referral_services.cancel_referral(actor=network.manager, referral=referral)
    with pytest.raises(ActionError):
        referral_services.send_referral(actor=network.manager, referral=referral)
    assert len(mail.outbox) == 1


def test_sending_needs_every_field(network, manager):
    referral = referral_services.create_referral(
        actor=network.manager, case=network.case(), referral_type="outside"
    )
    response = manager.post(
        reverse("referrals:referral_send", args=[referral.case.number, referral.pk]), follow=True
    )
    content = response.content.decode()
    assert "Enter the contact person." in content
    assert "Enter the organization that receives the referral." in content
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_a_failing_email_retries_then_shows_failed_with_its_reason(
    network, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "referrals.tests.test_referrals.BrokenBackend"
    referral = network.send(network.referral(ReferralType.OUTSIDE), django_capture_on_commit_callbacks)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.FAILED
    assert referral.attempts == delivery.MAX_EMAIL_ATTEMPTS
    assert "Mailbox unavailable" in referral.failure_reason
    assert Notification.objects.filter(
        recipient=network.manager, title_en="A referral could not be emailed"
    ).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.resend_referral(actor=network.manager, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EMAILED
    assert len(mail.outbox) == 1


def test_an_emailed_referral_is_never_sent_twice(network, django_capture_on_commit_callbacks):
    from portal.models import Message
    from portal.tasks import send_message

    referral = network.send(network.referral(ReferralType.OUTSIDE), django_capture_on_commit_callbacks)
    # A retried or duplicated task: referral emails are portal messages.
    message = Message.objects.get(key__startswith=f"referrals:referral:{referral.pk}:")
    send_message(message.pk)
    send_message(message.pk)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("old", ["referrals.services.", "referrals.referrals.services."])
def test_a_message_queued_before_the_split_by_area_still_reaches_its_hooks(
    network, django_capture_on_commit_callbacks, old
):
    """Messages store their attachment and hooks by dotted path: those queued when the hooks were
    referrals.services.* are sent with their letter and mark the referral emailed (portal.outbound)."""
    import json

    from portal.models import Message
    from portal.tasks import send_message

    with django_capture_on_commit_callbacks(execute=False):
        referral = referral_services.send_referral(
            actor=network.manager, referral=network.referral(ReferralType.OUTSIDE)
        )
    message = Message.objects.get(key__startswith=f"referrals:referral:{referral.pk}:")
    stored = json.dumps(message.context)
    assert "referrals.referrals.delivery.referral_emailed" in stored
    message.context = json.loads(stored.replace("referrals.referrals.delivery.", old))
    message.save(update_fields=["context"])
    send_message(message.pk)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EMAILED
    assert [attachment[2] for attachment in mail.outbox[0].attachments] == ["application/pdf"]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("550 Mailbox unavailable")


def test_the_preview_is_the_letter_as_a_pdf(network, manager, django_capture_on_commit_callbacks):
    referral = network.referral(ReferralType.WITHIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            reverse("referrals:referral_edit", args=[referral.case.number, referral.pk]),
            _form_data(referral, action="preview"),
        )
    page = manager.get(response["Location"]).content.decode()
    preview = referral.previews.get()
    assert reverse("referrals:plan_print_download", args=[preview.pk]) in page
    pdf = manager.get(reverse("referrals:plan_print_download", args=[preview.pk]))
    assert "Jane Johnson" in _pdf_text(b"".join(pdf.streaming_content))


# Transfer ----------------------------------------------------------------------------------------


def _sent_transfer(world, capture, case=None):
    return world.send(world.referral(ReferralType.TRANSFER, case=case), capture)


def _transfer_data(world):
    office = agreement_services.save_office(agency=world.other_agency, name="New office", city="Halifax")
    return {
        "office": office.pk,
        "case_manager": world.outsider.pk,
        "agreement": Agreement.objects.get(agency=world.other_agency).pk,
        "delivery_location": office.pk,
    }


def test_the_receiving_agency_reads_the_person_and_a_summary_and_nothing_more(
    network, receiver, django_capture_on_commit_callbacks
):
    referral = _sent_transfer(network, django_capture_on_commit_callbacks)
    case = referral.case
    listing = search(receiver, reverse("referrals:incoming"), {"q": str(case.number)})
    assert [row.record for row in listing.context["table"].page.object_list] == [referral]
    listing = search(receiver, reverse("referrals:incoming"), {"q": "johns"})
    assert [row.record for row in listing.context["table"].page.object_list] == [referral]
    detail = receiver.get(reverse("referrals:incoming_detail", args=[referral.pk])).content.decode()
    assert "Johnson, Jane" in detail and str(case.number) in detail
    assert receiver.get(case.get_absolute_url()).status_code == 404
    assert receiver.get(reverse("referrals:plan", args=[case.number])).status_code == 404


def test_the_receiving_agency_completes_the_transfer(
    network, manager, receiver, django_capture_on_commit_callbacks
):
    referral = _sent_transfer(network, django_capture_on_commit_callbacks)
    case = referral.case
    url = reverse("referrals:transfer", args=[referral.pk])
    data = _transfer_data(network)
    confirm = receiver.post(url, data).content.decode()
    assert "Are you sure you want to transfer this case?" in confirm
    assert network.agency.name in confirm and network.other_agency.name in confirm
    Case.objects.get(pk=case.pk).agency == network.agency  # noqa: B015 (nothing moved yet)
    response = receiver.post(url, {**data, "confirm": "1"}, follow=True)
    assert "The case was transferred successfully." in response.content.decode()
    case.refresh_from_db()
    assert (case.agency, case.case_manager) == (network.other_agency, network.outsider)
    assert case.agreement.agency == network.other_agency
    referral.refresh_from_db()
    assert referral.transfer_status == TransferStatus.COMPLETED
    # Access has moved: the new agency sees the case, the old one gets 404.
    assert receiver.get(case.get_absolute_url()).status_code == 200
    assert manager.get(case.get_absolute_url()).status_code == 404
    assert Task.objects.filter(
        assignee=network.outsider, done_at__isnull=True, record_number=str(case.number)
    ).exists()
    assert Notification.objects.filter(
        recipient=network.outsider, key__contains=f"transfer.{referral.pk}.received"
    ).exists()
    with translation.override("en"):
        notice = Notification.objects.get(
            recipient=network.manager, key__contains=f"transferred.{referral.pk}"
        )
    assert network.other_agency.name in notice.title_en
    # The develop-plan task of the former case manager is gone with the case.
    assert not Task.objects.filter(assignee=network.manager, done_at__isnull=True).exists()
    assert receiver.get(reverse("referrals:incoming_detail", args=[referral.pk])).status_code == 404


def test_a_case_in_follow_up_or_closed_cannot_be_transferred(
    network, manager, django_capture_on_commit_callbacks
):
    # A draft made while the case was open; the case went to follow-up since.
    case = network.case(status="plan_management")
    referral = network.referral(ReferralType.TRANSFER, case=case)
    case = case_services.start_follow_up(actor=network.manager, case=Case.objects.get(pk=case.pk))
    response = manager.post(reverse("referrals:referral_send", args=[case.number, referral.pk]), follow=True)
    assert "cannot be transferred" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_completing_after_the_case_was_closed_is_refused(
    network, receiver, django_capture_on_commit_callbacks
):
    referral = _sent_transfer(network, django_capture_on_commit_callbacks)
    case = referral.case
    case_services.close_case(actor=network.manager, case=case, reason="Moved")
    response = receiver.post(
        reverse("referrals:transfer", args=[referral.pk]),
        {**_transfer_data(network), "confirm": "1"},
        follow=True,
    )
    assert "cannot be transferred" in response.content.decode()
    case.refresh_from_db()
    assert case.agency == network.agency


def test_a_withdrawn_transfer_is_no_longer_visible_to_the_receiving_agency(
    network, manager, receiver, django_capture_on_commit_callbacks
):
    referral = _sent_transfer(network, django_capture_on_commit_callbacks)
    manager.post(reverse("referrals:referral_action", args=[referral.case.number, referral.pk, "withdraw"]))
    referral.refresh_from_db()
    assert referral.transfer_status == TransferStatus.WITHDRAWN
    assert receiver.get(reverse("referrals:incoming_detail", args=[referral.pk])).status_code == 404


def test_an_informational_referral_shares_the_person_record_but_not_the_case(
    network, receiver, django_capture_on_commit_callbacks
):
    referral = network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)
    detail = receiver.get(reverse("referrals:incoming_detail", args=[referral.pk])).content.decode()
    assert "Johnson, Jane" in detail
    assert "Case summary" not in detail
    assert receiver.get(reverse("referrals:transfer", args=[referral.pk])).status_code == 404
    assert referral.case.agency == network.agency


def test_only_one_transfer_waits_at_a_time(network, django_capture_on_commit_callbacks):
    case = network.case()
    _sent_transfer(network, django_capture_on_commit_callbacks, case=case)
    with pytest.raises(ActionError):
        _sent_transfer(network, django_capture_on_commit_callbacks, case=case)


# Templates -------------------------------------------------------------------------------------


def test_a_template_in_use_cannot_be_deleted(network):
    staff = verified_client(network.staff, membership=network.staff_membership)
    referral = network.referral()
    response = staff.post(
        reverse("referrals:template_edit", args=[referral.template_id]), {"delete": "1"}, follow=True
    )
    assert "cannot be" in response.content.decode() or "deactivate" in response.content.decode()
    assert CorrespondenceTemplate.objects.filter(pk=referral.template_id).exists()
    unused = CorrespondenceTemplate.objects.get(code="outside", language="fr")
    staff.post(reverse("referrals:template_edit", args=[unused.pk]), {"delete": "1"})
    assert not CorrespondenceTemplate.objects.filter(pk=unused.pk).exists()
