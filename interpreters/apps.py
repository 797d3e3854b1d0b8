from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterpretersConfig(AppConfig):
    name = "interpreters"
    verbose_name = _("Interpreter bank")

    def ready(self):
        from interpreters import roles  # noqa: F401  (registers the app's roles and tiles with the portal)
        from interpreters.models import Completion, InterpreterProfile, Registration, Request, Statement
        from portal import audit, outbound

        # Audited, each with the organizations its entries belong to (portal.audit).
        for model, organizations in (
            (Request, ("bank", "establishment")),
            (Completion, ("request__bank", "request__establishment")),
            (InterpreterProfile, ("bank",)),
            (Registration, ("bank", "establishment")),
            (Statement, ("bank", "establishment")),
        ):
            audit.register(model, *organizations)
        # What a worker may call by a dotted path stored in an export (portal.outbound).
        outbound.allow("interpreters.exports.statement_xlsx", "interpreters.exports.statement_pdf")
        # Answers to an offer SMS: 1 accepts, 2 declines (portal.sms_services.receive_sms).
        from interpreters.sms_replies import handle
        from portal.sms import replies

        replies.register(handle)
