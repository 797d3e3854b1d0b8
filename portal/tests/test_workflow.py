"""portal.workflow: what follows from one declaration of a model's transitions.

The mechanism is exercised on order summaries (any model with a status field would do) with a
declaration of the test's own, kept out of the registry; the template tag is checked with the
orders app's registered declaration.
"""

import pytest
from django.db import transaction
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from orders.models import OrderSummary, SummaryStatus
from orders.reference import ensure_reference_data
from orders.summaries import services as summary_services
from orders.tests.conftest import World
from portal import workflow
from portal.models import Message, MessageStatus
from portal.workflow import ActionError, Transition, Workflow

pytestmark = pytest.mark.django_db

S = SummaryStatus


class Flow:
    """A declaration whose history rows and notices the test can read."""

    def __init__(self):
        self.history = []
        self.notices = []
        self.effects = []
        self.workflow = Workflow(
            model=OrderSummary,
            url_name="orders:action",
            touch=("updated_at",),
            record_history=self.record,
            register=False,
            transitions=[
                Transition(
                    name="offer",
                    sources=(S.DRAFT,),
                    target=S.OFFERED,
                    capability="orders.manage",
                    label="Offer",
                    effect=lambda record, event: self.effects.append((record.status, event)),
                    notify=lambda record, event: self.notices.append((record.pk, record.status, event)),
                ),
                Transition(
                    name="terminate",
                    sources=(S.ACTIVATED, S.PENDING),
                    target=S.TERMINATED,
                    capability="orders.manage",
                    label="Terminate",
                    confirm=True,
                ),
                Transition(
                    name="accept",
                    sources=(S.OFFERED,),
                    target=S.ACTIVATED,
                    capability="orders.respond",
                    label="Accept",
                    button=False,
                ),
                Transition(
                    name="withdraw",
                    sources=(S.DRAFT,),
                    target=S.CANCELLED,
                    capability="orders.respond",
                    label="Withdraw",
                ),
            ],
        )

    def record(self, record, *, actor, action, from_status, to_status, note):
        row = {"actor": actor, "action": action, "from": from_status, "to": to_status, "note": note}
        self.history.append(row)
        return row


@pytest.fixture
def world(db):
    ensure_reference_data()
    return World()


@pytest.fixture
def flow():
    return Flow()


def test_it_refuses_a_status_the_transition_does_not_start_from_and_changes_nothing(
    world, flow, django_capture_on_commit_callbacks
):
    summary = world.summary()
    with django_capture_on_commit_callbacks() as callbacks:
        with translation.override("en"), pytest.raises(ActionError) as error:
            flow.workflow.perform("terminate", summary, actor=world.worker)
    with translation.override("en"):
        assert error.value.messages == [
            "This record is now Draft: this action needs it to be Activated or Pending. Nothing was changed."
        ]
    summary.refresh_from_db()
    assert summary.status == S.DRAFT
    assert flow.history == [] and callbacks == []


def test_the_refusal_is_the_declarations_in_the_language_of_the_page(world):
    summary = world.summary()
    # orders.summaries.services.SUMMARY_FLOW declares its own wording of the refusal.
    with translation.override("fr"), pytest.raises(ActionError) as error:
        summary_services.terminate_summary(actor=world.worker, summary=summary)
    with translation.override("fr"):
        assert error.value.messages == [
            "Ce résumé de la commande est maintenant au statut Brouillon : cette action exige le statut "
            "Activé ou En attente. Rien n'a été modifié."
        ]


def test_it_changes_the_status_and_writes_one_history_row(world, flow):
    summary = world.summary()
    changed = flow.workflow.perform("offer", summary, actor=world.worker, note="First offer")
    assert changed.status == S.OFFERED
    assert OrderSummary.objects.get(pk=summary.pk).status == S.OFFERED
    assert flow.history == [
        {"actor": world.worker, "action": "offer", "from": S.DRAFT, "to": S.OFFERED, "note": "First offer"}
    ]
    # Writes of the transition run in the transaction, after the history row, with it.
    assert flow.effects == [(S.OFFERED, flow.history[0])]


def test_its_notice_is_recorded_with_the_change_and_leaves_once_committed(world, django_capture_on_commit_callbacks):
    """The outbox: the provider's email is a Message row written in the change's transaction, so a
    committed change never loses its email; the send itself waits for the commit."""
    summary = world.summary()
    with django_capture_on_commit_callbacks() as callbacks:
        summary_services.offer_summary(actor=world.worker, summary=summary)
        assert Message.objects.filter(key__startswith=f"orders:{summary.pk}:").exists()
        assert not Message.objects.filter(status=MessageStatus.SENT).exists()
    assert callbacks, "the send is queued for the commit"


def test_its_notice_runs_in_the_transaction_after_the_history_row(world, flow):
    summary = world.summary()
    flow.workflow.perform("offer", summary, actor=world.worker)
    assert flow.notices == [(summary.pk, S.OFFERED, flow.history[0])]


def test_a_change_that_rolls_back_notifies_nobody(world, django_capture_on_commit_callbacks):
    summary = world.summary()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            summary_services.offer_summary(actor=world.worker, summary=summary)
            raise RuntimeError("the rest of the service failed")
    assert not Message.objects.filter(key__startswith=f"orders:{summary.pk}:").exists()
    assert OrderSummary.objects.get(pk=summary.pk).status == S.DRAFT


def test_the_guard_alone_locks_and_checks_for_writes_that_keep_the_status(world, flow):
    summary = world.summary()
    with transaction.atomic():
        assert flow.workflow.lock(summary, allowed=(S.DRAFT,)).pk == summary.pk
        with pytest.raises(ActionError):
            flow.workflow.lock(summary, allowed=(S.PENDING,))


def test_buttons_are_the_transitions_the_status_and_the_persons_capability_allow(world, flow):
    draft = world.summary()
    # The department worker may manage, not respond; "accept" has a page of its own (no button).
    assert [action.name for action in flow.workflow.actions_for(draft, world.worker)] == ["offer"]
    assert [action.url for action in flow.workflow.actions_for(draft, world.worker)] == [
        f"/orders/summaries/{draft.pk}/offer/"
    ]
    # The provider may respond, not manage.
    assert [action.name for action in flow.workflow.actions_for(draft, world.coordinator)] == ["withdraw"]
    activated = world.activated()
    actions = flow.workflow.actions_for(activated, world.worker)
    assert [(action.name, action.confirm) for action in actions] == [("terminate", True)]
    assert flow.workflow.can(world.offered(), "accept", world.coordinator)
    assert not flow.workflow.can(world.offered(), "accept", world.worker)


def test_capabilities_are_checked_on_the_record_s_organizations(world, flow):
    draft = world.summary()
    assert flow.workflow.actions_for(draft, world.outsider) == []


def test_the_template_tag_renders_post_forms_with_csrf_and_links_for_the_ones_that_ask_first(world):
    template = engines["django"].from_string("{% load portal_workflow %}{% workflow_actions summary %}")
    request = RequestFactory().get("/")
    request.user = world.worker
    summary = world.activated()
    with translation.override("en"):
        html = template.render({"summary": summary}, request)
    assert html.count("<form") == 1 and 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'action="/orders/summaries/{summary.pk}/pending/"' in html and "Set to Pending to adjust" in html
    # Terminate and cancel cannot be undone: a link to their "are you sure?" page.
    assert f'href="/orders/summaries/{summary.pk}/terminate/"' in html
    assert f'href="/orders/summaries/{summary.pk}/cancel/"' in html
    assert workflow.actions_for(summary, world.coordinator) == []


def test_two_transitions_of_one_model_cannot_share_a_name():
    with pytest.raises(ValueError):
        Workflow(
            model=OrderSummary,
            url_name="orders:action",
            record_history=lambda record, **kwargs: None,
            register=False,
            transitions=[
                Transition(name="x", sources=(S.DRAFT,), target=S.OFFERED, capability="c", label="x"),
                Transition(name="x", sources=(S.OFFERED,), target=S.DRAFT, capability="c", label="x"),
            ],
        )


def test_the_statuses_an_action_needs_read_as_a_list():
    from portal.workflow import either

    with translation.override("en"):
        assert either(["Offered", "Activated", "Pending"]) == "Offered, Activated or Pending"
        assert either(["Activated", "Pending"]) == "Activated or Pending"
        assert either(["Draft"]) == "Draft"
