import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.models import Message


class OutboxTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), short=False)
    link = tables.Column(verbose_name=_("Link"), orderable=False)

    class Meta:
        model = Message
        fields = ("created_at", "channel", "to_address", "language", "subject", "status", "link")
        order_by = ("-created_at",)
        empty_text = _("No message has been sent yet.")

    def render_link(self, value):
        return format_html('<a href="{}">{}</a>', value, value)
