"""`{% workflow_actions record %}`: the buttons of the transitions this person may take now;
`{% if record|reached:"decline" %}`: is the record where that transition leads (a notice to show);
`{% if record|allows:"leave" %}`: does its status allow that transition, whoever asks (a page's own form);
`{{ record|status_kind }}`: how pages mark its status (a badge's modifier, "" when plain).

Derived from the record's `portal.workflow.Workflow` declaration, so that no template compares
statuses to decide which action to offer.
"""

from typing import Any

from django import template
from django.db import models

from portal import workflow

register = template.Library()


@register.inclusion_tag("portal/includes/workflow_actions.html", takes_context=True)
def workflow_actions(context: template.Context, record: models.Model) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {
        "actions": workflow.actions_for(record, user),
        # The include renders POST forms: it needs the page's CSRF token.
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def reached(record: models.Model, name: str) -> bool:
    """True when the record's status is the one its transition `name` leads to (portal.workflow)."""
    return workflow.reached(record, name)


@register.filter
def allows(record: models.Model, name: str) -> bool:
    """True when the record's status is one its transition `name` starts from (portal.workflow)."""
    return workflow.allows(record, name)


@register.filter
def status_kind(record: models.Model) -> str:
    """The kind its workflow gives the record's status ("pending"), "" when shown plainly."""
    return workflow.status_kind(record)
