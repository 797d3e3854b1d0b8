from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterpretersConfig(AppConfig):
    name = "interpreters"
    verbose_name = _("Interpreter bank")

    def ready(self):
        from auditlog.registry import auditlog

        from interpreters import roles  # noqa: F401  (registers the app's roles and tiles with the portal)
        from interpreters.models import Completion, InterpreterProfile, Registration, Request, Statement
        from portal import outbound

        for model in (Request, Completion, InterpreterProfile, Registration, Statement):
            auditlog.register(model)
        # What a worker may call by a dotted path stored in an export (portal.outbound).
        outbound.allow("interpreters.exports.statement_xlsx", "interpreters.exports.statement_pdf")
