"""Interpreter bank: requesters, interpreters and coordinators."""

from django.utils.translation import gettext_lazy as _

from portal.roles import register_role

REQUEST = "interpreters.request"
ASSIGN = "interpreters.assign"
PERFORM = "interpreters.perform"

register_role(
    "interpreters.requester",
    label=_("Requester"),
    organization_kinds={"health_establishment"},
    capabilities={REQUEST},
)
register_role(
    "interpreters.coordinator",
    label=_("Coordinator"),
    organization_kinds={"interpreter_bank"},
    capabilities={ASSIGN},
)
register_role(
    "interpreters.interpreter",
    label=_("Interpreter"),
    organization_kinds={"interpreter_bank"},
    capabilities={PERFORM},
)
