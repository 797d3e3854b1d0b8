"""The home page, the case list and the case screens, end to end through the test client."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.models import Task
from referrals.cases import services as case_services
from referrals.models import Case, CaseDocument, CaseStatus, Intervention, Program
from referrals.tests.helpers import intervention_form
from tests.helpers import assert_constant_queries, search, verified_client

pytestmark = pytest.mark.django_db


# Home page and lookup --------------------------------------------------------------------------


def test_the_home_page_lists_the_task_with_case_id_person_program_and_creator(world, manager):
    case = world.case()
    response = manager.get(reverse("portal:home"))
    content = response.content.decode()
    assert "Develop action plan" in content
    assert f'href="{case.get_absolute_url()}">{case.number}</a>' in content
    assert "Johnson, Jane" in content
    assert "ECM (LAE-ENS)" in content
    assert world.manager.get_full_name() in content
    assert reverse("referrals:case_lookup") in content


def test_the_case_id_box_opens_the_case(world, manager):
    case = world.case()
    response = manager.get(reverse("referrals:case_lookup"), {"number": case.number})
    assert response["Location"] == case.get_absolute_url()


def test_the_case_id_box_says_when_no_case_matches(world, manager):
    other = world.case(agency=world.other_agency, manager=world.outsider)
    for value in (str(other.number), "abc", "99999999999999999999"):
        response = manager.get(reverse("referrals:case_lookup"), {"number": value}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("portal:home")
        assert any(message.level_tag == "error" for message in response.context["messages"])


def test_the_home_page_costs_the_same_queries_for_1_and_50_items(world, manager):
    case = world.case()

    def add(count):
        for _index in range(count):
            world.intervention(case)

    assert_constant_queries(manager, reverse("portal:home"), add)


# Cases -----------------------------------------------------------------------------------------


def test_the_case_list_starts_with_my_open_cases_and_searches_the_agency(world, manager):
    mine = world.case()
    theirs = world.case(manager=world.colleague, first_name="Paul", last_name="Martin")
    world.case(agency=world.other_agency, manager=world.outsider, first_name="Zed", last_name="Outsider")
    response = manager.get(reverse("referrals:case_list"))
    numbers = [row.record.number for row in response.context["table"].page.object_list]
    assert numbers == [mine.number]
    response = search(manager, reverse("referrals:case_list"), {"q": "martin"})
    assert [row.record.number for row in response.context["table"].page.object_list] == [theirs.number]
    response = search(manager, reverse("referrals:case_list"), {"q": "outsider"})
    assert list(response.context["table"].page.object_list) == []


def test_the_case_list_costs_the_same_queries_for_1_and_50_cases(world, manager):
    counter = iter(range(1000))
    assert_constant_queries(
        manager,
        reverse("referrals:case_list") + "?status=",
        lambda count: [world.case(status="intake", last_name=f"N{next(counter)}") for _ in range(count)],
    )


def test_opening_a_case_for_a_new_person(world, manager):
    response = manager.post(
        reverse("referrals:case_create"),
        {
            "person-first_name": "Aisha",
            "person-last_name": "Benali",
            "person-birth_date": "1992-06-21",
            "person-preferred_language": "fr",
            "person-postal_code": "e1c4m2",
            "program": Program.objects.get(code="ecm").pk,
            "office": world.office.pk,
            "case_manager": world.manager.pk,
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    case = Case.objects.get(person__last_name="Benali")
    assert response["Location"] == case.get_absolute_url()
    assert case.person.postal_code == "E1C 4M2"
    assert case.agency == world.agency


def test_opening_a_case_with_bad_input_keeps_what_was_typed(world, manager):
    response = manager.post(
        reverse("referrals:case_create"),
        {
            "person-first_name": "Aisha",
            "person-last_name": "Benali",
            "person-postal_code": "12345",
            "person-birth_date": "2999-01-01",
            "person-preferred_language": "fr",
            "program": Program.objects.get(code="ecm").pk,
            "office": world.other_office.pk,  # another agency's office is not a choice
            "case_manager": world.manager.pk,
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert 'value="Benali"' in response.content.decode()
    assert response.context["person_form"].errors.keys() == {"postal_code", "birth_date"}
    assert "office" in response.context["case_form"].errors


def test_opening_a_case_for_a_client_of_the_agency(world, manager):
    first = world.case(status="closed")
    response = search(manager, reverse("referrals:case_create"), {"q": "johns"})
    assert first.person.display_name in response.content.decode()
    response = manager.post(
        reverse("referrals:case_create") + f"?person={first.person_id}",
        {
            "person": first.person_id,
            "program": world.ecm.pk,
            "office": world.office.pk,
            "case_manager": world.manager.pk,
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Case.objects.filter(person=first.person).count() == 2


def test_a_client_of_another_agency_cannot_be_picked(world, manager):
    other = world.case(agency=world.other_agency, manager=world.outsider)
    assert manager.get(reverse("referrals:case_create"), {"person": other.person_id}).status_code == 404
    assert manager.get(reverse("referrals:case_create"), {"person": "x"}).status_code == 404


def test_every_case_screen_opens_for_the_case_manager(world, manager):
    case = world.case(status="plan_management")
    intervention = case.interventions.get()
    for name, extra in [
        ("case", ()),
        ("case_details", ()),
        ("case_additional", ()),
        ("case_education", ()),
        ("needs", ()),
        ("needs_version", (1,)),
        ("plan", ()),
        ("intervention", (intervention.pk,)),
        ("intervention_edit", (intervention.pk,)),
        ("funding_request", (intervention.pk,)),
        ("outcomes", ()),
        ("notes", ()),
        ("case_tasks", ()),
        ("case_status", ()),
        ("documents", ()),
    ]:
        response = manager.get(reverse(f"referrals:{name}", args=[case.number, *extra]))
        assert response.status_code == 200, name


def test_viewing_a_case_leaves_an_audit_entry(world, manager):
    from auditlog.models import LogEntry

    case = world.case()
    manager.get(case.get_absolute_url())
    assert LogEntry.objects.filter(object_pk=str(case.pk), action=LogEntry.Action.ACCESS).exists()


def test_the_department_reads_cases_but_cannot_change_them(world, staff):
    case = world.case()
    assert staff.get(case.get_absolute_url()).status_code == 200
    response = staff.get(reverse("referrals:plan", args=[case.number]))
    assert (
        'href="' + reverse("referrals:intervention_add", args=[case.number]) not in response.content.decode()
    )
    assert (
        staff.post(
            reverse("referrals:intervention_add", args=[case.number]), intervention_form(world, case)
        ).status_code
        == 403
    )
    assert (
        staff.post(reverse("referrals:notes", args=[case.number]), {"subject": "x", "text": "y"}).status_code
        == 403
    )
    assert not Intervention.objects.exists()


def test_the_additional_information_is_saved(world, manager):
    case = world.case()
    response = manager.post(
        reverse("referrals:case_additional", args=[case.number]),
        {
            "income_source": "ei",
            "disability": "undisclosed",
            "has_transportation": "yes",
            "referral_source": "Friend",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.income_source, case.referral_source) == ("ei", "Friend")


# Case tools ------------------------------------------------------------------------------------


def test_notes_tasks_and_status_from_the_case_tools(world, manager):
    case = world.case()
    manager.post(
        reverse("referrals:notes", args=[case.number]), {"subject": "Call", "text": "Called the client."}
    )
    assert case.notes.get().author == world.manager
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    manager.post(
        reverse("referrals:case_tasks", args=[case.number]),
        {"title": "Call the college", "due_date": due, "assignee": world.colleague.pk},
    )
    task = Task.objects.get(assignee=world.colleague)
    assert task.title_fr == task.title_en == "Call the college"
    response = manager.post(
        reverse("referrals:case_tasks", args=[case.number]),
        {"title": "Late", "due_date": "2001-01-01", "assignee": world.colleague.pk},
    )
    assert "due_date" in response.context["form"].errors
    world.intervention(case)
    manager.post(reverse("referrals:case_status_action", args=[case.number, "manage-plan"]))
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_MANAGEMENT
    response = manager.post(reverse("referrals:case_close", args=[case.number, "close"]), {"reason": ""})
    assert "reason" in response.context["form"].errors
    manager.post(reverse("referrals:case_close", args=[case.number, "close"]), {"reason": "Moved away"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_status_action_not_allowed_gives_a_message(world, manager):
    case = world.case(status="intake")
    response = manager.post(
        reverse("referrals:case_status_action", args=[case.number, "follow-up"]), follow=True
    )
    assert "Nothing was changed" in response.content.decode()


def test_the_supervisor_reassigns_a_case(world):
    case = world.case()
    client = verified_client(world.supervisor, membership=world.supervisor_membership)
    client.post(reverse("referrals:case_reassign", args=[case.number]), {"case_manager": world.colleague.pk})
    case.refresh_from_db()
    assert case.case_manager == world.colleague
    manager = verified_client(world.manager, membership=world.manager_membership)
    assert manager.get(reverse("referrals:case_reassign", args=[case.number])).status_code == 403


def test_documents_are_checked_stored_privately_and_served_to_the_agency_only(world, manager):
    case = world.case()
    url = reverse("referrals:documents", args=[case.number])
    response = manager.post(
        url,
        {
            "document_type": "consent",
            "file": SimpleUploadedFile("consent.pdf", b"%PDF-1.4 signed", "application/pdf"),
        },
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert document.file.name.startswith("private/case-documents/")
    assert "consent" not in document.file.name
    for name, content in [("virus.exe", b"MZ"), ("fake.pdf", b"MZ not a pdf"), ("empty.txt", b"")]:
        response = manager.post(url, {"document_type": "other", "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200
        assert "file" in response.context["form"].errors
    assert CaseDocument.objects.count() == 1
    download = manager.get(reverse("referrals:document", args=[document.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    outsider = verified_client(world.outsider, membership=world.outsider_membership)
    assert outsider.get(reverse("referrals:document", args=[document.pk])).status_code == 404


def test_a_document_larger_than_10_mb_is_refused(world, manager, settings):
    from portal.forms import MAX_DOCUMENT_SIZE

    case = world.case()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (MAX_DOCUMENT_SIZE + 1))
    response = manager.post(
        reverse("referrals:documents", args=[case.number]), {"document_type": "other", "file": big}
    )
    assert "larger than 10 MB" in response.content.decode()


def test_an_outcome_is_recorded_during_follow_up(world, manager):
    case = world.case(status="follow_up")
    response = manager.post(
        reverse("referrals:outcomes", args=[case.number]),
        {"outcome": "full_time", "outcome_date": timezone.localdate().isoformat(), "hours_per_week": "200"},
    )
    assert "hours_per_week" in response.context["form"].errors
    manager.post(
        reverse("referrals:outcomes", args=[case.number]),
        {"outcome": "full_time", "outcome_date": timezone.localdate().isoformat(), "hours_per_week": "37"},
    )
    assert case.outcomes.get().hours_per_week == 37


# After the review ------------------------------------------------------------------------------


def test_unicode_digits_in_addresses_never_break_a_page(world, manager):
    case = world.case()
    for url in (
        reverse("referrals:case_list") + "?q=²",
        reverse("referrals:incoming") + "?q=²",
        reverse("referrals:referrals", args=[case.number]) + "?open=²",
        reverse("referrals:case_create") + "?person=²",
        reverse("referrals:case_lookup") + "?number=²",
    ):
        assert manager.get(url).status_code in (200, 302, 404), url


def test_the_status_tool_cannot_complete_an_assessment_without_needs(world, manager):
    case = world.case(status="intake")
    response = manager.post(
        reverse("referrals:case_status_action", args=[case.number, "complete-assessment"]), follow=True
    )
    assert "at least one barrier" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE


def test_a_note_sent_after_the_case_was_closed_gets_a_message_not_an_error(world, manager):
    case = world.case()
    case_services.close_case(actor=world.colleague, case=case, reason="Moved")
    response = manager.post(
        reverse("referrals:notes", args=[case.number]), {"subject": "x", "text": "y"}, follow=True
    )
    assert response.status_code == 200
    assert "This case is closed" in response.content.decode()
    assert not case.notes.exists()
