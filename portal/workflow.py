"""Status workflows, declared once per model.

An app lists a model's transitions in one `Workflow`: the name (the URL slug and the button's
key), the statuses it starts from, the status it leads to, the capability it needs (checked with
`portal.permissions.has_capability`, the one portal check), its button label, whether it asks
"are you sure?" on a page of its own first, and what it notifies.
Everything else follows from that declaration:

- the guard: `perform()` locks the row (`select_for_update`), checks the current status and raises
  the one `ActionError` with a translated message when the transition is not allowed, changing
  nothing; `lock(record, allowed=...)` is the same guard for writes that keep the status;
- the history row, written by the app's `record_history` (one row per change: who, old → new, note);
- the notices, recorded in the same transaction as the change (portal.services.notify writes the
  Message rows, which leave once the transaction commits): a change that rolls back leaves no
  message, and a committed one never loses its message, even if the process dies just after;
- the buttons a page shows: `actions_for(record, user)`, rendered by
  `{% workflow_actions record %}` (portal_workflow tag library) as POST forms with CSRF, or as a
  link to the confirmation page for the transitions that ask first;
- how a page marks a status: `kinds` maps a status to its kind (e.g. "pending", the badge that
  says the record is being adjusted), read with `{{ record|status_kind }}`, so that no template
  compares statuses.

Why hand-written rather than django-fsm-2: its transitions are model methods (DESIGN keeps models
free of workflow), it does not lock the row, and buttons, capabilities and history are left to
each app, which is what this module is for.

`perform()` is called from an app's `services` module (the write layer, trusted by
portal.scoping to re-read by primary key the records its callers fetched through selectors).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.permissions import has_capability

logger = logging.getLogger("portal.workflow")

M = TypeVar("M", bound=models.Model)

Text = str | Promise


class ActionError(ValidationError):
    """An action the current status does not allow, or bad input: nothing was changed."""


class HistoryWriter(Protocol):
    """Writes the history row of a change and returns it (passed on to the notices)."""

    def __call__(
        self, record: Any, /, *, actor: Any, action: str, from_status: str, to_status: str, note: str
    ) -> Any: ...


@dataclass(frozen=True)
class Transition:
    """One status change of a model, declared once."""

    name: str
    sources: tuple[str, ...]
    # The status reached: a value, or a function of the record (e.g. services that need no acceptance).
    target: str | Callable[[Any], str]
    capability: str
    label: Text
    # Actions that cannot be undone ask "are you sure?" on a page of their own first.
    confirm: bool = False
    # The page message once done; "%(number)s" is the record's number.
    done: Text = ""
    # The history row's action; the transition's name when empty.
    history: str = ""
    # Writes that go with the change, in the same transaction: effect(record, event).
    effect: Callable[[Any, Any], None] | None = None
    # What it notifies, in the change's transaction: notify(record, event) records messages through
    # portal.services.notify (sent once the transaction commits; none if it rolls back).
    notify: Callable[[Any, Any], None] | None = None
    # False when the transition is offered by a page of its own (a form asking for a reason).
    button: bool = True
    # The refusal of this transition when it differs from the workflow's (same placeholders).
    refused: Text = ""

    def target_for(self, record: Any) -> str:
        return self.target(record) if callable(self.target) else self.target

    @property
    def action(self) -> str:
        return self.history or self.name


@dataclass(frozen=True)
class Action:
    """A button: a transition the person may take on this record now."""

    transition: Transition
    url: str

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> Text:
        return self.transition.label

    @property
    def confirm(self) -> bool:
        return self.transition.confirm


def either(labels: Sequence[str]) -> str:
    """"Offered, Activated or Pending" (in the active language)."""
    if len(labels) < 2:
        return "".join(labels)
    return str(_("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]})


REFUSED = _("This record is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed.")

_registry: dict[type[models.Model], Workflow[Any]] = {}


@dataclass
class Workflow(Generic[M]):
    """The transitions of one model, and what follows from them."""

    model: type[M]
    transitions: Sequence[Transition]
    record_history: HistoryWriter
    # The URL of the action endpoint, reversed with (record.pk, transition.name).
    url_name: str
    status_field: str = "status"
    # Other fields saved with the status (e.g. an auto_now "updated_at").
    touch: tuple[str, ...] = ()
    # Writes every change of this model makes, in the transaction: on_change(record, previous).
    on_change: Callable[[M, str], None] | None = None
    # The refusal, with %(status)s (now) and %(allowed)s (what the action needs).
    refused: Text = REFUSED
    # False for a declaration that actions_for() and the template tag must not find (tests).
    register: bool = True
    # The button's address when it is not reverse(url_name, args=[record.pk, name]): url(record, transition)
    # (records addressed by their number, transitions asking first on a page of their own).
    url: Callable[[M, Transition], str] | None = None
    # How pages mark a status (a badge's modifier: "pending" → badge--pending); unmarked when absent.
    kinds: Mapping[str, str] = field(default_factory=dict)
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {transition.name: transition for transition in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError(f"{self.model.__name__}: two transitions share a name.")
        if self.register:
            _registry[self.model] = self

    # Reading the declaration -----------------------------------------------------------------

    def get(self, name: str) -> Transition | None:
        return self._by_name.get(name)

    def button(self, name: str) -> Transition | None:
        """The transition offered as a button under this name (what the action endpoint serves)."""
        transition = self._by_name.get(name)
        return transition if transition is not None and transition.button else None

    def status_of(self, record: M) -> str:
        return str(getattr(record, self.status_field))

    def allows(self, record: M, name: str) -> bool:
        """Does the record's current status allow this transition (whoever asks)?"""
        transition = self._by_name.get(name)
        return transition is not None and self.status_of(record) in transition.sources

    def reached(self, record: M, name: str) -> bool:
        """Is the record in the status this transition leads to ("was it declined?"), whoever asks?"""
        transition = self._by_name.get(name)
        return transition is not None and self.status_of(record) == transition.target_for(record)

    def kind_of(self, record: M) -> str:
        """How pages mark the record's status ("" when they show it plainly)."""
        return self.kinds.get(self.status_of(record), "")

    def can(self, record: M, name: str, user: Any) -> bool:
        """May this person take this transition on this record now (status and capability)?"""
        transition = self._by_name.get(name)
        return (
            transition is not None
            and self.status_of(record) in transition.sources
            and has_capability(user, transition.capability, record)
        )

    def actions_for(self, record: M, user: Any) -> list[Action]:
        """The buttons this person sees on this record, in the declaration's order."""
        return [
            Action(transition, self._url(record, transition))
            for transition in self.transitions
            if transition.button and self.can(record, transition.name, user)
        ]

    def _url(self, record: M, transition: Transition) -> str:
        if self.url is not None:
            return self.url(record, transition)
        return reverse(self.url_name, args=[record.pk, transition.name])

    # The guard ---------------------------------------------------------------------------------

    def _label(self, value: str) -> str:
        status = self.model._meta.get_field(self.status_field)
        choices = dict(status.flatchoices) if isinstance(status, models.Field) else {}
        return str(choices.get(value, value))

    def refuse(self, record: M, allowed: Iterable[str], transition: Transition | None = None) -> ActionError:
        """The error for an action the record's current status does not allow."""
        return ActionError(
            ((transition.refused if transition is not None else "") or self.refused)
            % {
                "status": self._label(self.status_of(record)),
                "allowed": either([self._label(value) for value in allowed]),
            }
        )

    def lock(
        self, record: M, *, allowed: Iterable[str] | None = None, transition: Transition | None = None
    ) -> M:
        """The record's row, locked until the transaction ends; refused unless its status is allowed.

        The caller is inside a transaction (an atomic service)."""
        locked = self.model._default_manager.select_for_update().get(pk=record.pk)
        if allowed is not None:
            allowed = tuple(allowed)
            if self.status_of(locked) not in allowed:
                raise self.refuse(locked, allowed, transition)
        return locked

    # Performing a transition -------------------------------------------------------------------

    @transaction.atomic
    def perform(self, name: str, record: M, *, actor: Any, note: str = "") -> M:
        """Lock, check, change, record, and notify; returns the locked, changed record.

        Two people acting at once: the second waits for the lock, then finds the status changed
        and gets the refusal; nothing is half-done."""
        transition = self._by_name[name]
        locked = self.lock(record, allowed=transition.sources, transition=transition)
        previous = self.status_of(locked)
        target = transition.target_for(locked)
        setattr(locked, self.status_field, target)
        locked.save(update_fields=[self.status_field, *self.touch])
        if self.on_change is not None:
            self.on_change(locked, previous)
        event = self.record_history(
            locked, actor=actor, action=transition.action, from_status=previous, to_status=target, note=note
        )
        if transition.effect is not None:
            transition.effect(locked, event)
        if transition.notify is not None:
            transition.notify(locked, event)
        return locked


def workflow_for(record: models.Model) -> Workflow[Any] | None:
    return _registry.get(type(record))


def allows(record: models.Model, name: str) -> bool:
    """Does the record's status allow its transition `name`, whoever asks (False without a workflow)?"""
    workflow = workflow_for(record)
    return workflow is not None and workflow.allows(record, name)


def reached(record: models.Model, name: str) -> bool:
    """Is the record in the status its transition `name` leads to (False without a workflow)?"""
    workflow = workflow_for(record)
    return workflow is not None and workflow.reached(record, name)


def status_kind(record: models.Model) -> str:
    """How pages mark the record's status ("" without a workflow or a kind for that status)."""
    workflow = workflow_for(record)
    return workflow.kind_of(record) if workflow is not None else ""


def actions_for(record: models.Model, user: Any) -> list[Action]:
    """The buttons this person sees on this record (none when its model has no workflow)."""
    workflow = workflow_for(record)
    return workflow.actions_for(record, user) if workflow is not None else []
