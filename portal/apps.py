from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from auditlog.signals import post_log

        from portal import (
            audit,
            db,  # noqa: F401  (accent-free search and sort in SQL: the fold function)
            roles,  # noqa: F401  (the portal's own roles and tiles)
            tasks,  # noqa: F401  (registered, so that services queue them by name: portal.queue)
        )
        from portal.models import HelpContent, InboundSms, Invitation, Membership, Organization, User
        from portal.outbound import allow

        # Every audit entry gets the organizations of its record (portal.audit, portal.AuditScope).
        post_log.connect(audit.on_post_log, dispatch_uid="portal-audit-scope")
        # A person's record is every organization's where they hold a membership.
        audit.register(User, "memberships__organization", exclude_fields=["password", "last_login"])
        audit.register(Organization, "pk")
        audit.register(Membership, "organization")
        # Who invited whom, sent again or withdrawn when (the link's nonce stays out of the entry).
        audit.register(Invitation, "organization", exclude_fields=["nonce"])
        # The help page's words an organization's coordinators write (portal.help_pages).
        audit.register(HelpContent, "organization")
        # An SMS someone sent us belongs to no organization until a handler takes it (the handler
        # audits what it changed); its text stays on the row, out of the entry.
        audit.register(InboundSms, resolve=lambda inbound: set(), exclude_fields=["body"])
        # What a worker may call by a dotted path stored in a message or an export (portal.outbound).
        allow("portal.exports.export_attachment")
        # The waiting room: the pilot's setting is audited (its counters move by UPDATE, unaudited),
        # and its length is a gauge of every scrape.
        from portal import waiting_room
        from portal.models import WaitingRoom
        from portal.ops.metrics import register_gauge

        audit.register(WaitingRoom, "organization", exclude_fields=["issued", "served", "served_at", "epoch"])
        register_gauge(
            "liaison_waiting_room_length",
            "People waiting in the public booking line (every organization whose waiting room is on).",
            waiting_room.total_length,
        )
