"""Writes about a case (LaMPSS): opening it, its information, its status cycle, reassignment and
its tools (notes, documents, tasks, outcomes). Keyword-only, atomic, one function per status change.

The status cycle is declared once (CASE_FLOW, portal.workflow): each change happens under a row
lock with a guard on the current status, so two people acting on the same case at once cannot both
succeed: the second gets a clear message. Its history rows are CaseStatusChange (portal.HistoryEntry).
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from portal import services as portal_services
from portal.models import Organization, Priority, Task, User
from portal.numbering import next_number
from portal.workflow import ActionError, Transition, Workflow
from referrals import roles
from referrals.models import (
    CASE_NUMBER_BASE,
    OPEN_CASE_STATUSES,
    OUTCOME_STATUSES,
    Agreement,
    Case,
    CaseDocument,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    EmploymentOutcome,
    InterventionStatus,
    Office,
    Person,
    Program,
)

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

M = TypeVar("M", bound=Model)


CS = CaseStatus


IS = InterventionStatus


# The guide: the "Develop action plan" task is due two weeks after the assessment is completed.
PLAN_TASK_DELAY = timedelta(days=14)


def case_key(case: Case, suffix: str) -> str:
    """Keys of every task and notification about a case share this prefix (reassignment moves them)."""
    return f"referrals.case.{case.pk}.{suffix}"


def case_columns(case: Case, actor: User | None, priority: str = Priority.NORMAL) -> dict[str, Any]:
    """The LaMPSS work-list columns: case id, person, program, created by."""
    return {
        "priority": priority,
        "record_number": str(case.number),
        "record_link": case.get_absolute_url(),
        "about": case.person.display_name,
        # Program names are bilingual (modeltranslation's name_fr/name_en columns).
        "details": {language: getattr(case.program, f"name_{language}") for language in ("fr", "en")},
        "created_by": actor,
        "organization": case.agency,
    }


@transaction.atomic
def update_case_person(*, actor: User, case: Case, **fields: Any) -> Person:
    """The person's details, from an open case."""
    return save_person(person=_locked_open_case(case).person, **fields)


@transaction.atomic
def save_person(*, person: Person | None = None, **fields: Any) -> Person:
    return save_fields(person or Person(), fields)


def _agency_agreement(agency: Organization, program: Program, today: date) -> Agreement | None:
    """An agency opens cases while its funding agreement is active (and ECM is on, for ECM programs):
    that agreement is the case's accountability agreement."""
    agreements = Agreement.objects.filter(agency=agency, funding_active=True, start_date__lte=today).exclude(
        end_date__lt=today
    )
    if program.needs_ecm_agreement:
        agreements = agreements.filter(ecm_enabled=True)
    return agreements.order_by("start_date", "pk").first()


@transaction.atomic
def open_case(
    *,
    actor: User,
    agency: Organization,
    person: Person,
    program: Program,
    office: Office,
    case_manager: User,
    opened_on: date | None = None,
) -> Case:
    today = timezone.localdate()
    opened_on = opened_on or today
    if office.agency_id != agency.pk:
        raise ActionError({"office": _("Choose an office of your agency.")})
    agreement = _agency_agreement(agency, program, today)
    if agreement is None:
        raise ActionError(
            {
                "program": _(
                    "Your agency has no active agreement for this program: a case cannot be opened in it."
                )
            }
        )
    if opened_on > today:
        raise ActionError({"opened_on": _("The opening date cannot be in the future.")})
    case = Case.objects.create(
        number=next_number("referrals.case", floor=_highest_case_number),
        person=person,
        program=program,
        agency=agency,
        office=office,
        agreement=agreement,
        delivery_location=office if office.is_delivery_location else None,
        case_manager=case_manager,
        opened_on=opened_on,
    )
    record_change(case, actor=actor, action="opened", from_status="", to_status=CS.INTAKE, note="")
    return case


def _highest_case_number() -> int:
    """Where case numbers start: after the highest one given (cases are numbered from 100901)."""
    return Case.objects.aggregate(top=Max("number"))["top"] or CASE_NUMBER_BASE


@transaction.atomic
def update_case_information(*, actor: User, case: Case, **fields: Any) -> Case:
    return save_fields(_locked_open_case(case), fields, only_these=True)


def locked_case(case: Case) -> Case:
    # Lock the case row only (not the person, program or agency rows the join reads).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("person", "program", "agency")
        .get(pk=case.pk)
    )


def _locked_open_case(case: Case) -> Case:
    locked = locked_case(case)
    if locked.is_closed:
        raise ActionError(_("This case is closed: its information can no longer be changed."))
    return locked


def save_fields(record: M, fields: dict[str, Any], *, only_these: bool = False) -> M:
    """The one edit write: set each field a form gave on the record and save it (only those
    columns when `only_these`)."""
    for name, value in fields.items():
        setattr(record, name, value)
    record.save(update_fields=list(fields) if only_these else None)
    return record


def locked_or_gone(records: QuerySet[M], pk: int, *, gone: "str | _StrPromise") -> M:
    """The record's row alone, locked until the transaction ends (not the rows its joins read);
    refused with `gone` when it was deleted in the meantime (interventions, referrals)."""
    locked = records.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise ActionError(gone)
    return locked


# The case management cycle, declared once ------------------------------------------------------
#
# Each transition's guard (row lock, current status), history row and button on the case status
# page follow from this declaration (portal.workflow).


def record_change(
    case: Case, *, actor: User | None, action: str, from_status: str, to_status: str, note: str
) -> CaseStatusChange:
    return CaseStatusChange.objects.create(
        case=case, actor=actor, action=action, from_status=from_status, to_status=to_status, note=note
    )


@dataclass(frozen=True)
class Change:
    """What a change passes on to its transition's effects, for records that keep no history rows
    of their own (interventions, referrals: their pages show their status and dates)."""

    actor: User | None
    action: str
    from_status: str
    to_status: str
    note: str


def unrecorded_change(
    record: Any, *, actor: User | None, action: str, from_status: str, to_status: str, note: str
) -> Change:
    return Change(actor, action, from_status, to_status, note)


def _plan_task(case: Case, event: CaseStatusChange) -> None:
    """The assessment is done: the case manager gets the task "Develop action plan", due two weeks
    later (LaMPSS), once a needs determination names a barrier."""
    latest = case.needs_determinations.order_by("-version").first()
    if latest is None or not latest.barriers.exists():
        raise ActionError(
            _(
                "Save a needs determination with at least one barrier to employment before completing the assessment."
            )
        )
    give_plan_task(
        case=case,
        actor=event.actor,
        key=f"develop-plan.{case.status_changes.count()}",
        due_date=timezone.localdate() + PLAN_TASK_DELAY,
    )


def give_plan_task(*, case: Case, actor: User | None, key: str, due_date: date) -> Task:
    """The case manager's task "Develop action plan" (after the assessment, or after a transfer
    while the plan is still to do)."""
    return portal_services.create_task(
        assignee=case.case_manager,
        title=_("Develop action plan"),
        due_date=due_date,
        link=reverse("referrals:plan", args=[case.number]),
        key=case_key(case, key),
        record=case,
        purpose="develop-plan",
        send_email=True,
        title_in_email=True,
        **case_columns(case, actor, Priority.HIGH),
    )


def _plan_signed(case: Case, event: CaseStatusChange) -> None:
    """The plan was reviewed and signed with the client: the "Develop action plan" task is done."""
    if not case.interventions.exists():
        raise ActionError(_("Add at least one intervention to the action plan before managing it."))
    _complete_plan_tasks(case)


def _complete_plan_tasks(case: Case) -> None:
    portal_services.complete_tasks(record=case, purpose="develop-plan")


def _closed(case: Case, event: CaseStatusChange) -> None:
    case.closed_on = timezone.localdate()
    case.closure_reason = event.note
    case.save(update_fields=["closed_on", "closure_reason"])
    _complete_plan_tasks(case)
    # Imported here: referrals.plans.services builds on this module.
    from referrals.plans.services import end_plan_at_closing

    end_plan_at_closing(case=case, actor=event.actor)


def _reopened(case: Case, event: CaseStatusChange) -> None:
    case.closed_on = None
    case.save(update_fields=["closed_on"])


def _case_button_url(case: Case, transition: Transition) -> str:
    # Closing and reopening ask for the reason on a page of their own.
    if transition.confirm:
        return reverse("referrals:case_close", args=[case.number, transition.name])
    return reverse("referrals:case_status_action", args=[case.number, transition.name])


CASE_FLOW: Workflow[Case] = Workflow(
    model=Case,
    url_name="referrals:case_status_action",
    url=_case_button_url,
    record_history=record_change,
    refused=_("This case is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed."),
    # In the order of the buttons on the case status page.
    transitions=[
        Transition(
            name="start-assessment",
            sources=(CS.INTAKE,),
            target=CS.ASSESSMENT,
            capability=roles.MANAGE_CASES,
            label=_("Start the assessment"),
        ),
        Transition(
            name="complete-assessment",
            sources=(CS.INTAKE, CS.ASSESSMENT),
            target=CS.PLAN_DEVELOPMENT,
            capability=roles.MANAGE_CASES,
            label=_("Complete the assessment"),
            effect=_plan_task,
        ),
        Transition(
            name="manage-plan",
            sources=(CS.PLAN_DEVELOPMENT,),
            target=CS.PLAN_MANAGEMENT,
            capability=roles.MANAGE_CASES,
            label=_("Action plan signed: manage the plan"),
            effect=_plan_signed,
        ),
        Transition(
            name="follow-up",
            sources=(CS.PLAN_MANAGEMENT,),
            target=CS.FOLLOW_UP,
            capability=roles.MANAGE_CASES,
            label=_("Start the follow-up"),
        ),
        # Closing and reopening need a reason, asked on their own page (referrals:case_close).
        Transition(
            name="close",
            sources=tuple(OPEN_CASE_STATUSES),
            target=CS.CLOSED,
            capability=roles.MANAGE_CASES,
            label=_("Close the case"),
            confirm=True,
            effect=_closed,
        ),
        Transition(
            name="reopen",
            sources=(CS.CLOSED,),
            target=CS.ASSESSMENT,
            capability=roles.MANAGE_CASES,
            label=_("Reopen the case"),
            confirm=True,
            effect=_reopened,
        ),
    ],
)


@transaction.atomic
def change_case_status(*, actor: User, case: Case, action: str) -> Case:
    """One of the status page's buttons (referrals:case_status_action), by its transition's name."""
    return CASE_FLOW.perform(action, case, actor=actor)


@transaction.atomic
def start_assessment(*, actor: User, case: Case) -> Case:
    return CASE_FLOW.perform("start-assessment", case, actor=actor)


@transaction.atomic
def complete_assessment(*, actor: User, case: Case) -> Case:
    """The assessment is done: the case moves to action plan development (and the task follows)."""
    return CASE_FLOW.perform("complete-assessment", case, actor=actor)


@transaction.atomic
def start_plan_management(*, actor: User, case: Case) -> Case:
    return CASE_FLOW.perform("manage-plan", case, actor=actor)


@transaction.atomic
def start_follow_up(*, actor: User, case: Case) -> Case:
    return CASE_FLOW.perform("follow-up", case, actor=actor)


@transaction.atomic
def close_case(*, actor: User, case: Case, reason: str) -> Case:
    if not reason.strip():
        raise ActionError({"reason": _("Give the reason for closing the case.")})
    return CASE_FLOW.perform("close", case, actor=actor, note=reason.strip())


@transaction.atomic
def reopen_case(*, actor: User, case: Case, reason: str) -> Case:
    if not reason.strip():
        raise ActionError({"reason": _("Give the reason for reopening the case.")})
    return CASE_FLOW.perform("reopen", case, actor=actor, note=reason.strip())


@transaction.atomic
def reassign_case(*, actor: User, case: Case, case_manager: User) -> Case:
    """Give the case to another case manager of the agency; open tasks and notifications follow."""
    locked = locked_case(case)
    if locked.is_closed:
        raise ActionError(_("This case is closed: it cannot be reassigned."))
    if locked.case_manager_id == case_manager.pk:
        return locked
    previous = locked.case_manager
    locked.case_manager = case_manager
    locked.save(update_fields=["case_manager"])
    portal_services.hand_over_home_items(record=locked, from_user=previous, to_user=case_manager)
    record_change(
        locked,
        actor=actor,
        action="reassigned",
        from_status=locked.status,
        to_status=locked.status,
        note=str(_("Case reassigned from %(old)s to %(new)s."))
        % {"old": previous.get_full_name(), "new": case_manager.get_full_name()},
    )
    portal_services.create_notification(
        recipient=case_manager,
        title=_("Case assigned to you"),
        link=locked.get_absolute_url(),
        key=case_key(locked, f"assigned.{timezone.now():%Y%m%d%H%M%S%f}"),
        record=locked,
        purpose="assigned",
        **case_columns(locked, actor),
    )
    return locked


def require_open(case: Case) -> None:
    if case.is_closed:
        raise ActionError(_("This case is closed: reopen it first. Nothing was changed."))


@transaction.atomic
def add_note(*, actor: User, case: Case, subject: str, text: str) -> CaseNote:
    case = locked_case(case)
    require_open(case)
    return CaseNote.objects.create(case=case, subject=subject, text=text, author=actor)


@transaction.atomic
def add_document(
    *, actor: User, case: Case, document_type: str, description: str, upload: UploadedFile, content_type: str
) -> CaseDocument:
    case = locked_case(case)
    require_open(case)
    return CaseDocument.objects.create(
        case=case,
        document_type=document_type,
        description=description,
        file=upload,
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )


@transaction.atomic
def add_case_task(*, actor: User, case: Case, title: str, due_date: date, assignee: User) -> Task:
    case = locked_case(case)
    require_open(case)
    if due_date < timezone.localdate():
        raise ActionError({"due_date": _("The due date cannot be in the past.")})
    return portal_services.create_task(
        assignee=assignee,
        title=title,
        due_date=due_date,
        link=case.get_absolute_url(),
        key=case_key(case, f"task.{timezone.now():%Y%m%d%H%M%S%f}"),
        record=case,
        purpose="task",
        **case_columns(case, actor),
    )


@transaction.atomic
def record_outcome(*, actor: User, case: Case, **fields: Any) -> EmploymentOutcome:
    case = locked_case(case)
    if case.status not in OUTCOME_STATUSES:
        raise ActionError(
            _("Employment outcomes are recorded once the action plan is under way (management or follow-up).")
        )
    if fields["outcome_date"] > timezone.localdate():
        raise ActionError({"outcome_date": _("The date of an outcome cannot be in the future.")})
    return EmploymentOutcome.objects.create(case=case, recorded_by=actor, **fields)


def lazy_name(organization: Organization) -> str:
    """The organization's name in the language active when it is read (its names are bilingual)."""
    return lazy(lambda: organization.name, str)()
