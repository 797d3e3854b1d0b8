"""Interpreter bank: requesters (establishments), interpreters and coordinators (the bank)."""

from django.utils.translation import gettext_lazy as _

from portal.models import OrganizationKind
from portal.roles import register_role, register_tile

VIEW = "interpreters.view"  # open a request (the selector decides which ones)
REQUEST = "interpreters.request"  # create, change and cancel the establishment's requests
ASSIGN = "interpreters.assign"  # queue, assignment, confirmation, validation, registrations
BILLING = "interpreters.billing"  # rates and statements
PERFORM = "interpreters.perform"  # offers, assignments, completion, availability

register_role(
    "interpreters.requester",
    label=_("Requester"),
    organization_kinds={OrganizationKind.HEALTH_ESTABLISHMENT},
    capabilities={VIEW, REQUEST},
)
register_role(
    "interpreters.coordinator",
    label=_("Coordinator"),
    organization_kinds={OrganizationKind.INTERPRETER_BANK},
    capabilities={VIEW, ASSIGN, BILLING},
)
register_role(
    "interpreters.interpreter",
    label=_("Interpreter"),
    organization_kinds={OrganizationKind.INTERPRETER_BANK},
    capabilities={VIEW, PERFORM},
)


# Tile counts (issue 18): imported when called, the selectors need the models. One COUNT each.
def _to_assign_count(user):
    from interpreters import selectors

    return selectors.queue(user, "assign").count()


def _registrations_count(user):
    from interpreters import selectors

    return selectors.pending_registrations(user).count()


def _offers_count(user):
    from interpreters import selectors

    return selectors.offers_for(user).count()


register_tile(
    "interpreters.requests",
    title=_("Interpreter requests"),
    description=_("Ask for an interpreter, follow your establishment's requests, write to the interpreter."),
    url_name="interpreters:request_list",
    capability=REQUEST,
    order=10,
)
register_tile(
    "interpreters.queue",
    title=_("Requests to assign"),
    description=_("Assign interpreters, confirm, validate completed services."),
    url_name="interpreters:queue",
    capability=ASSIGN,
    order=10,
    count=_to_assign_count,
)
register_tile(
    "interpreters.registrations",
    title=_("Requester registrations"),
    description=_("Approve or refuse the sign-ups of establishment staff."),
    url_name="interpreters:registrations",
    capability=ASSIGN,
    order=20,
    count=_registrations_count,
)
register_tile(
    "interpreters.statements",
    title=_("Statements and rates"),
    description=_("Monthly statements per establishment and cost centre, pay statements, rates."),
    url_name="interpreters:statements",
    capability=BILLING,
    order=30,
)
register_tile(
    "interpreters.work",
    title=_("My assignments"),
    description=_("Offers to accept or decline, upcoming assignments, services to record."),
    url_name="interpreters:my_work",
    capability=PERFORM,
    order=10,
    count=_offers_count,
)
register_tile(
    "interpreters.availability",
    title=_("My availability"),
    description=_("The hours you usually work and the periods you are away."),
    url_name="interpreters:availability",
    capability=PERFORM,
    order=20,
)
