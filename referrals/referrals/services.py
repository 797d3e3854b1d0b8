"""Writes of referrals and case transfers (LaMPSS referrals and transfer guide): drafts, sending
by email through portal.notify (its delivery and hooks: referrals/referrals/delivery.py), transfers,
and the correspondence templates.

A referral's statuses are declared once (REFERRAL_FLOW, portal.workflow), and so are a transfer's
(TRANSFER_FLOW, the same referral's transfer status); their buttons come from those declarations.
"""

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import services as portal_services
from portal.links import about
from portal.models import Organization, OrganizationKind, Priority, Task, User
from portal.workflow import Action, ActionError, Transition, Workflow
from referrals import roles
from referrals.cases.services import (
    PLAN_TASK_DELAY,
    Change,
    add_document,
    case_columns,
    case_key,
    give_plan_task,
    lazy_name,
    locked_case,
    locked_or_gone,
    record_change,
    require_open,
    save_fields,
    unrecorded_change,
)
from referrals.models import (
    NETWORK_TYPES,
    Agreement,
    Case,
    CaseDocument,
    CaseStatus,
    CorrespondenceTemplate,
    Office,
    PlanPrint,
    Referral,
    ReferralStatus,
    ReferralType,
    ResponseStatus,
    TransferStatus,
)
from referrals.plans.services import queue_print
from referrals.referrals import delivery

CS = CaseStatus


RS = ReferralStatus


# The guide: a case in follow-up or closed cannot be transferred.
NO_TRANSFER_STATUSES = (CS.FOLLOW_UP, CS.CLOSED)


def network_agencies(*, excluding: Organization | None = None) -> QuerySet[Organization]:
    """Agencies that may receive a network referral: active funding agreement, external case
    management program enabled and client tracking enabled (the guide's list)."""
    today = timezone.localdate()
    agreements = Agreement.objects.filter(
        funding_active=True, ecm_enabled=True, client_tracking=True, start_date__lte=today
    ).exclude(end_date__lt=today)
    agencies = Organization.objects.filter(
        kind=OrganizationKind.EMPLOYMENT_AGENCY, is_active=True, pk__in=agreements.values("agency")
    ).order_by("name")
    if excluding is not None:
        agencies = agencies.exclude(pk=excluding.pk)
    return agencies


def _default_template(referral_type: str, language: str) -> CorrespondenceTemplate | None:
    return (
        CorrespondenceTemplate.objects.filter(referral_type=referral_type, language=language, is_active=True)
        .order_by("name")
        .first()
    )


@transaction.atomic
def create_referral(*, actor: User, case: Case, referral_type: str) -> Referral:
    """A draft referral of one type, filled with the default template's subject and body."""
    case = locked_case(case)
    require_open(case)
    if referral_type == ReferralType.TRANSFER and case.status in NO_TRANSFER_STATUSES:
        raise ActionError(
            {"referral_type": _("A case in follow-up or closed cannot be transferred. Nothing was changed.")}
        )
    language = actor.preferred_language or "fr"
    template = _default_template(referral_type, language)
    return Referral.objects.create(
        case=case,
        referral_type=referral_type,
        language=language,
        template=template,
        subject=template.default_subject if template else "",
        body=template.default_body if template else "",
        created_by=actor,
    )


def _locked_referral(referral: Referral) -> Referral:
    return locked_or_gone(
        Referral.objects.select_related(
            "case", "case__agency", "case__person", "case__program", "case__case_manager", "agency"
        ),
        referral.pk,
        gone=_("This referral was deleted in the meantime. Nothing was changed."),
    )


SENT_ALREADY = _("This referral was sent: it can no longer be changed. Nothing was changed.")
# A referral the receiving agency accepted or declined: it read it in Liaison, so sending its email
# copy again (after a failure) would only send it a second time.
ANSWERED_ALREADY = _(
    "The receiving agency has already answered this referral: it is not sent again. Nothing was sent."
)


def _draft_only(referral: Referral) -> None:
    if referral.status != RS.DRAFT:
        raise ActionError(SENT_ALREADY)


# The life of a referral and of a transfer, declared once -------------------------------------


def _sent(referral: Referral, event: Change) -> None:
    """Sent for good (read-only from now on); a transfer now waits for the receiving agency."""
    referral.sent_at = timezone.now()
    referral.sent_by = event.actor
    # The sender as it is now: a later transfer of the case changes neither.
    referral.sending_agency_id = referral.case.agency_id
    referral.referred_by_id = referral.case.case_manager_id
    fields = ["sent_at", "sent_by", "sending_agency", "referred_by"]
    if referral.referral_type == ReferralType.TRANSFER:
        referral.transfer_status = TransferStatus.PENDING
        fields.append("transfer_status")
    if referral.referral_type == ReferralType.WITHIN:
        # The receiving agency answers it (referrals.responses.services).
        referral.response_status = ResponseStatus.AWAITING
        fields.append("response_status")
    referral.save(update_fields=fields)
    delivery.email_referral(referral)


def _sent_again(referral: Referral, event: Change) -> None:
    referral.attempts = 0
    referral.save(update_fields=["attempts"])
    delivery.email_referral(referral)


def _referral_url(referral: Referral, transition: Transition) -> str:
    # Each action asks first on a page of its own (GET), then is taken there (POST).
    return reverse("referrals:referral_action", args=[referral.case.number, referral.pk, transition.name])


REFERRAL_FLOW: Workflow[Referral] = Workflow(
    model=Referral,
    url_name="referrals:referral_action",
    url=_referral_url,
    record_history=unrecorded_change,
    transitions=[
        # Sent from the draft's confirmation page (referrals:referral_send).
        Transition(
            name="send",
            sources=(RS.DRAFT,),
            target=RS.SENT,
            capability=roles.MANAGE_CASES,
            label=_("Send the referral"),
            refused=SENT_ALREADY,
            effect=_sent,
            button=False,
        ),
        Transition(
            name="resend",
            sources=(RS.FAILED,),
            target=RS.SENT,
            capability=roles.MANAGE_CASES,
            label=_("Send the email again"),
            confirm=True,
            refused=_("Only a referral whose email failed can be sent again."),
            effect=_sent_again,
        ),
    ],
)

TS = TransferStatus

# A second status of the same referral: one declaration per status field. Not registered (a model
# has one registered workflow): a referral's buttons are referral_actions(), both declarations'.
TRANSFER_FLOW: Workflow[Referral] = Workflow(
    model=Referral,
    status_field="transfer_status",
    url_name="referrals:referral_action",
    url=_referral_url,
    record_history=unrecorded_change,
    register=False,
    transitions=[
        Transition(
            name="withdraw",
            sources=(TS.PENDING,),
            target=TS.WITHDRAWN,
            capability=roles.MANAGE_CASES,
            label=_("Withdraw the transfer"),
            confirm=True,
            refused=_("This transfer is no longer waiting: it cannot be withdrawn."),
        ),
        # Completed by the receiving agency on its transfer page (referrals:transfer).
        Transition(
            name="complete",
            sources=(TS.PENDING,),
            target=TS.COMPLETED,
            capability=roles.MANAGE_CASES,
            label=_("Transfer the case"),
            refused=_("This transfer is no longer waiting (completed or withdrawn). Nothing was changed."),
            button=False,
        ),
    ],
)


NOT_YOUR_REFERRAL = _(
    "This referral was sent by another agency before the case was transferred to yours: "
    "only that agency could act on it. Nothing was changed."
)


def _sender_only(referral: Referral) -> None:
    """A referral sent before the case came here by transfer stays its sender's: the case's new
    agency sees it, and cannot send it again or withdraw it."""
    if referral.is_from_other_agency(referral.case.agency_id):
        raise ActionError(NOT_YOUR_REFERRAL)


def is_transferable(case: Case) -> bool:
    return case.status not in NO_TRANSFER_STATUSES


def referral_actions(referral: Referral, user: User) -> list[Action]:
    """The buttons of a referral for this person: its transfer's, then its own (none on a
    referral another agency sent before the case was transferred here)."""
    if referral.is_from_other_agency(referral.case.agency_id):
        return []
    return TRANSFER_FLOW.actions_for(referral, user) + [
        action
        for action in REFERRAL_FLOW.actions_for(referral, user)
        if not answered_refusal(referral, action.transition.name)
    ]


def answered_refusal(referral: Referral, name: str) -> str:
    """Why this action is refused on a referral the receiving agency answered ("" when it is not)."""
    return str(ANSWERED_ALREADY) if name == "resend" and referral.is_answered else ""


def referral_action(name: str) -> Transition | None:
    """The button of a referral or of its transfer served under this name (referrals:referral_action)."""
    return TRANSFER_FLOW.button(name) or REFERRAL_FLOW.button(name)


def _checked(flow: Workflow[Referral], name: str, referral: Referral) -> Referral:
    """The guard of a transition before the checks that come with it (the row is locked)."""
    transition = flow.get(name)
    assert transition is not None
    return flow.lock(referral, allowed=transition.sources, transition=transition)


def _check_referral_fields(referral: Referral, fields: dict[str, Any]) -> None:
    errors = {}
    if referral.referral_type in NETWORK_TYPES:
        agency = fields.get("agency")
        if (
            agency is not None
            and not network_agencies(excluding=referral.case.agency).filter(pk=agency.pk).exists()
        ):
            errors["agency"] = _("Choose an agency of the list.")
    template = fields.get("template")
    if template is not None and (
        template.referral_type != referral.referral_type or template.language != fields.get("language")
    ):
        errors["template"] = _("Choose a template of this referral type in the correspondence language.")
    if errors:
        raise ActionError(errors)


@transaction.atomic
def update_referral(*, actor: User, referral: Referral, **fields: Any) -> Referral:
    """Save a draft. For network types the organization is an agency; outside, a name typed in."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    if locked.referral_type in NETWORK_TYPES:
        fields["organization_name"] = ""
        if fields.get("agency") is not None and not fields.get("email_to"):
            fields["email_to"] = fields["agency"].contact_email
    else:
        fields["agency"] = None
    _check_referral_fields(locked, fields)
    return save_fields(locked, fields)


@transaction.atomic
def change_referral_language(*, actor: User, referral: Referral, language: str, **fields: Any) -> Referral:
    """A new correspondence language: the same letter in that language, and its subject and body
    back to their defaults (the guide warns that this undoes changes to them)."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    template = None
    if locked.template is not None:
        template = CorrespondenceTemplate.objects.filter(
            code=locked.template.code, language=language, is_active=True
        ).first()
    template = template or _default_template(locked.referral_type, language)
    fields.update(
        language=language,
        template=template,
        subject=template.default_subject if template else "",
        body=template.default_body if template else "",
    )
    return update_referral(actor=actor, referral=locked, **fields)


def missing_for_sending(referral: Referral) -> dict[str, Any]:
    required = {
        "contact_person": _("Enter the contact person."),
        "email_to": _("Enter the email address to send the referral to."),
        "template": _("Choose a correspondence template."),
        "subject": _("Enter the email subject."),
        "body": _("Enter the email body."),
    }
    errors = {name: message for name, message in required.items() if not getattr(referral, name)}
    if referral.referral_type in NETWORK_TYPES and referral.agency_id is None:
        errors["agency"] = _("Choose the agency that receives the referral.")
    if referral.referral_type not in NETWORK_TYPES and not referral.organization_name:
        errors["organization_name"] = _("Enter the organization that receives the referral.")
    return errors


@transaction.atomic
def send_referral(*, actor: User, referral: Referral) -> Referral:
    """Sent for good (read-only from now on); the letter is emailed in the background."""
    locked = _checked(REFERRAL_FLOW, "send", _locked_referral(referral))
    case = locked_case(locked.case)
    require_open(case)
    errors = missing_for_sending(locked)
    if errors:
        raise ActionError(errors)
    if locked.referral_type in NETWORK_TYPES:
        _check_referral_fields(
            locked, {"agency": locked.agency, "template": locked.template, "language": locked.language}
        )
    if locked.referral_type == ReferralType.TRANSFER:
        if case.status in NO_TRANSFER_STATUSES:
            raise ActionError(_("A case in follow-up or closed cannot be transferred. Nothing was sent."))
        if case.referrals.filter(
            referral_type=ReferralType.TRANSFER, transfer_status=TransferStatus.PENDING
        ).exists():
            raise ActionError(
                _("A transfer of this case is already waiting for the receiving agency. Nothing was sent.")
            )
    return REFERRAL_FLOW.perform("send", locked, actor=actor)


@transaction.atomic
def cancel_referral(*, actor: User, referral: Referral) -> None:
    """Cancel a draft: it is deleted, with the documents attached to it."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    locked.delete()


@transaction.atomic
def resend_referral(*, actor: User, referral: Referral) -> Referral:
    """Try a failed referral again (after the address was checked, for example)."""
    return take_referral_action(actor=actor, referral=referral, action="resend")


@transaction.atomic
def withdraw_transfer(*, actor: User, referral: Referral) -> Referral:
    """The sending agency takes back a transfer the receiving agency has not completed."""
    locked = _locked_referral(referral)
    _sender_only(locked)
    return TRANSFER_FLOW.perform("withdraw", locked, actor=actor)


@transaction.atomic
def take_referral_action(*, actor: User, referral: Referral, action: str) -> Referral:
    """One of a referral's buttons (referrals:referral_action), by its transition's name."""
    flow = TRANSFER_FLOW if TRANSFER_FLOW.button(action) else REFERRAL_FLOW
    locked = _locked_referral(referral)
    _sender_only(locked)
    refusal = answered_refusal(locked, action)
    if refusal:
        raise ActionError(refusal)
    return flow.perform(action, locked, actor=actor)


@transaction.atomic
def complete_transfer(
    *,
    actor: User,
    referral: Referral,
    office: Office,
    case_manager: User,
    agreement: Agreement,
    delivery_location: Office,
) -> Case:
    """The receiving agency takes the case: its office, case manager, agreement and location."""
    locked = _checked(TRANSFER_FLOW, "complete", _locked_referral(referral))
    receiving = locked.agency
    # A transfer goes to an agency of the network: sending it checked that it names one.
    assert receiving is not None
    case = locked_case(locked.case)
    if case.status in NO_TRANSFER_STATUSES:
        raise ActionError(_("A case in follow-up or closed cannot be transferred. Nothing was changed."))
    errors = {}
    if office.agency_id != receiving.pk:
        errors["office"] = _("Choose an office of your agency.")
    if delivery_location.agency_id != receiving.pk:
        errors["delivery_location"] = _("Choose a location of your agency.")
    if agreement.agency_id != receiving.pk:
        errors["agreement"] = _("Choose an agreement of your agency.")
    if errors:
        raise ActionError(errors)
    sending, previous_manager = case.agency, case.case_manager
    case.agency, case.office, case.case_manager = receiving, office, case_manager
    case.agreement, case.delivery_location = agreement, delivery_location
    case.save(update_fields=["agency", "office", "case_manager", "agreement", "delivery_location"])
    # Organization names are bilingual: lazy, so each language of the notification gets its own.
    # The sentences naming both agencies have a context of their own: French names each one
    # "l'organisme …" ("transféré de l'organisme Agence d'emploi …", never "de Agence d'emploi …").
    names = {"old": lazy_name(sending), "new": lazy_name(receiving), "number": case.number}
    record_change(
        case,
        actor=actor,
        action="transferred",
        from_status=case.status,
        to_status=case.status,
        note=str(pgettext_lazy("transfer between agencies", "Case transferred from %(old)s to %(new)s.")) % names,
    )
    locked = TRANSFER_FLOW.perform("complete", locked, actor=actor)
    locked.transferred_at = timezone.now()
    locked.transferred_by = actor
    locked.save(update_fields=["transfer_status", "transferred_at", "transferred_by"])
    # The plan still to do: the new case manager gets its task, due when it was (the sender's
    # open one is withdrawn below with the rest of the sending agency's work).
    plan_task = (
        Task.objects.filter(about(case, purpose="develop-plan"), done_at__isnull=True)
        .order_by("due_date")
        .first()
        if case.status == CS.PLAN_DEVELOPMENT
        else None
    )
    # The sending agency's open work on this case ends here.
    portal_services.withdraw_home_items_about(record=case)
    if case.status == CS.PLAN_DEVELOPMENT:
        give_plan_task(
            case=case,
            actor=actor,
            key=f"transfer.{locked.pk}.develop-plan",
            due_date=plan_task.due_date
            if plan_task is not None and plan_task.due_date
            else timezone.localdate() + PLAN_TASK_DELAY,
        )
    portal_services.create_task(
        assignee=case_manager,
        title=_("Case received by transfer: review it and contact the client"),
        due_date=timezone.localdate() + timedelta(days=7),
        link=case.get_absolute_url(),
        key=case_key(case, f"transfer.{locked.pk}.task"),
        record=case,
        purpose="transfer",
        send_email=True,
        title_in_email=True,
        **case_columns(case, actor, Priority.HIGH),
    )
    portal_services.create_notification(
        recipient=case_manager,
        title=pgettext_lazy("transfer between agencies", "Case received by transfer from %(old)s"),
        params={"old": lazy_name(sending)},
        link=case.get_absolute_url(),
        key=case_key(case, f"transfer.{locked.pk}.received"),
        record=case,
        purpose="transfer.received",
        **case_columns(case, actor),
    )
    # The former case manager can no longer open the case: the notice names it and goes home.
    portal_services.create_notification(
        recipient=previous_manager,
        title=pgettext_lazy("transfer between agencies", "Case %(number)s has been transferred from %(old)s to %(new)s"),
        params=names,
        link="/",
        key=f"referrals.transferred.{locked.pk}",
        record=locked,
        purpose="transferred",
        record_number=str(case.number),
        created_by=actor,
    )
    return case


@transaction.atomic
def request_letter_preview(*, actor: User, referral: Referral) -> PlanPrint:
    """The letter as it will be attached, built in the background like the plan."""
    if referral.template_id is None:
        raise ActionError({"template": _("Choose a correspondence template to preview the letter.")})
    preview = PlanPrint.objects.create(
        case=referral.case, referral=referral, language=referral.language, requested_by=actor
    )
    queue_print(preview)
    return preview


@transaction.atomic
def save_template(*, template: CorrespondenceTemplate | None = None, **fields: Any) -> CorrespondenceTemplate:
    return save_fields(template or CorrespondenceTemplate(), fields)


@transaction.atomic
def delete_template(*, template: CorrespondenceTemplate) -> None:
    message = _("This template is used by referrals: deactivate it instead. Nothing was deleted.")
    template = CorrespondenceTemplate.objects.select_for_update().get(pk=template.pk)
    if template.referrals.exists():
        raise ActionError(message)
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError as error:  # a referral took it in the meantime
        raise ActionError(message) from error


@transaction.atomic
def add_referral_document(
    *,
    actor: User,
    referral: Referral,
    document_type: str,
    description: str,
    upload: UploadedFile,
    content_type: str,
) -> CaseDocument:
    """A document attached to a draft referral (it also joins the case's documents)."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    document = add_document(
        actor=actor,
        case=locked.case,
        document_type=document_type,
        description=description,
        upload=upload,
        content_type=content_type,
    )
    document.referral = locked
    document.save(update_fields=["referral"])
    return document
