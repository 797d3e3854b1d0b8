import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tables2.rows import BoundRows

from portal.db import NameColumn
from portal.models import Membership, Message, Notification, Task


def total_order(queryset):
    """The queryset's order made total: the primary key breaks ties, in the direction of the first
    sort key (so that one index on (…, key, id) serves the order and its reverse).

    Without it, rows with equal keys may come in any order, and a page read from the other end
    (NearerEndPaginator) would not be the mirror of the same page read from the start.
    """
    query = queryset.query
    ordering = list(query.order_by) or (list(query.get_meta().ordering) if query.default_ordering else [])
    if not ordering:
        return queryset.order_by("pk")
    names = {term.lstrip("-") for term in ordering if isinstance(term, str)}
    if names & {"pk", "id", query.get_meta().pk.name}:
        return queryset
    first = ordering[0]
    descending = first.startswith("-") if isinstance(first, str) else getattr(first, "descending", False)
    return queryset.order_by(*ordering, "-pk" if descending else "pk")


def _queryset_of(rows):
    if isinstance(rows, QuerySet):
        return rows
    if isinstance(rows, BoundRows) and isinstance(getattr(rows.data, "data", None), QuerySet):
        return rows.data.data
    return None


class NearerEndPaginator(Paginator):
    """Pages of a sorted queryset read from the nearer end: the last page costs what the first does.

    OFFSET n reads n rows to drop them, so page 4,000 of a 100,000-row list reads 100,000 rows. A page
    in the back half is read in the reverse order, with the small offset counted from the end, then
    put back in order. The list keeps its sort (made total: total_order), its filters and its number
    of queries (one count, one page). Sorted by an indexed key, any page costs at most what the middle
    page costs, and the first and last pages are index reads of 25 rows.
    """

    def page(self, number):
        number = self.validate_number(number)
        rows = self.object_list
        queryset = _queryset_of(rows)
        if queryset is None or queryset.query.combinator:
            return super().page(number)
        ordered = total_order(queryset)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if number * 2 <= self.num_pages:
            records = self.rows(ordered, bottom, top)
        else:
            records = self.rows(ordered.reverse(), self.count - top, self.count - bottom)[::-1]
        if isinstance(rows, BoundRows):
            records = BoundRows(data=records, table=rows.table, pinned_data=rows.pinned_data)
        return self._get_page(records, number, self)

    def rows(self, ordered, start, stop):
        """The rows start:stop of the ordered queryset (a paginator may read them another way)."""
        return list(ordered[start:stop])


def paginate(request, table, per_page=25, paginator_class=None):
    """Sort from the query string, then paginate with a fixed page size (never the visitor's).

    Deep pages are read from the nearer end of the list (NearerEndPaginator, or a subclass)."""
    paginator_class = paginator_class or NearerEndPaginator
    tables.RequestConfig(request, paginate=False).configure(table)
    try:
        table.paginate(
            paginator_class=paginator_class,
            page=request.GET.get(table.prefixed_page_field, 1),
            per_page=per_page,
        )
    except PageNotAnInteger:
        table.paginate(paginator_class=paginator_class, page=1, per_page=per_page)
    except EmptyPage:
        # Past the end (rows have left the list since the link was made): the last page.
        table.paginate(paginator_class=paginator_class, page=table.paginator.num_pages, per_page=per_page)
    return table


class OutboxTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), short=False)
    link = tables.Column(verbose_name=_("Link"), orderable=False)
    # What the SMS provider reported (its status callbacks), with its reason when not delivered.
    delivery_status = tables.Column(verbose_name=_("Delivery"), default="—")

    class Meta:
        model = Message
        fields = (
            "created_at",
            "channel",
            "to_address",
            "language",
            "subject",
            "status",
            "delivery_status",
            "link",
        )
        order_by = ("-created_at",)
        empty_text = _("No message has been sent yet.")

    def render_link(self, value):
        return format_html('<a href="{}">{}</a>', value, value)

    def render_delivery_status(self, record):
        label = record.get_delivery_status_display()
        return f"{label} ({record.delivery_error})" if record.delivery_error else label


class TaskTable(tables.Table):
    title = tables.Column(verbose_name=_("Task"), linkify=lambda record: record.link)
    due_date = tables.TemplateColumn(
        template_name="portal/includes/due_cell.html", verbose_name=_("Due date"), order_by=("due_date", "pk")
    )
    organization = tables.Column(verbose_name=_("Organization"), default="—")
    actions = tables.TemplateColumn(
        template_name="portal/includes/task_done_cell.html", verbose_name=_("Action"), orderable=False
    )

    class Meta:
        model = Task
        fields = ("title", "due_date", "organization", "actions")
        order_by = ("due_date",)
        empty_text = _("No open task.")
        verbose_name = _("My open tasks")


class NotificationTable(tables.Table):
    title = tables.Column(
        verbose_name=_("Notification"),
        linkify=lambda record: reverse("portal:open_notification", args=[record.pk]),
    )
    due_date = tables.DateColumn(verbose_name=_("Date"), format="DATE_FORMAT", order_by=("due_date", "pk"))
    read_at = tables.DateTimeColumn(verbose_name=_("Read"), default="—")

    class Meta:
        model = Notification
        fields = ("title", "due_date", "read_at")
        order_by = ("-due_date",)
        empty_text = _("No notification.")
        verbose_name = _("My notifications")


class MemberTable(tables.Table):
    name = NameColumn(
        verbose_name=_("Name"), accessor="user__last_name", order_by=("user__last_name", "user__first_name")
    )
    email = tables.Column(verbose_name=_("Email address"), accessor="user__email")
    role = tables.Column(verbose_name=_("Role"))
    valid_from = tables.DateColumn(verbose_name=_("Valid from"), format="DATE_FORMAT")
    valid_to = tables.DateColumn(verbose_name=_("Valid to"), format="DATE_FORMAT", default="—")
    # A person invited who has not chosen a password yet is not an active member (issue 18).
    status = tables.Column(verbose_name=_("Status"), accessor="pk", empty_values=(), orderable=False)

    class Meta:
        model = Membership
        fields = ("name", "email", "role", "valid_from", "valid_to", "status")
        empty_text = _("No member.")
        verbose_name = _("People and their roles")

    def __init__(self, *args, pending=None, **kwargs):
        # membership id → its pending invitation (portal.selectors.pending_invitations, one query).
        self.pending = pending or {}
        super().__init__(*args, **kwargs)

    def render_name(self, record):
        return record.user.get_full_name() or "—"

    def render_status(self, record):
        from portal.dates import long_date

        invitation = self.pending.get(record.pk)
        if invitation is None:
            return _("Active")
        if invitation.has_expired:
            text = _("Invitation expired on %(date)s") % {"date": long_date(invitation.expires_at)}
        else:
            text = _("Invitation pending (expires %(date)s)") % {"date": long_date(invitation.expires_at)}
        return format_html('<strong class="badge badge--pending">{}</strong>', text)

    def render_role(self, record):
        return record.role_label


class AuditTable(tables.Table):
    """An organization's audit entries, newest first (the order is fixed: a log reads by time)."""

    timestamp = tables.DateTimeColumn(verbose_name=_("When"), format="SHORT_DATETIME_FORMAT")
    who = tables.Column(verbose_name=_("Who"), accessor="actor_email", empty_values=())
    action = tables.Column(verbose_name=_("Action"))
    record_type = tables.Column(verbose_name=_("Record type"), accessor="content_type", empty_values=())
    record = tables.Column(
        verbose_name=pgettext_lazy("audit entry", "Record"), accessor="object_repr", empty_values=()
    )
    changes = tables.Column(verbose_name=_("Changes"), accessor="changes", empty_values=())
    remote_addr = tables.Column(verbose_name=_("Address"), default="—")

    class Meta:
        fields = ("timestamp", "who", "action", "record_type", "record", "changes", "remote_addr")
        orderable = False
        empty_text = _("No audit entry matches these filters.")
        verbose_name = _("Audit entries")

    def render_who(self, record):
        if record.actor is not None:
            return record.actor.get_full_name() or record.actor.email
        # No person: the system (a scheduled task, the public booking page) or a removed account.
        return record.actor_email or _("System or public page")

    def render_action(self, record):
        from portal.filters import ACTION_LABELS

        return ACTION_LABELS.get(record.action, record.action)

    def render_record_type(self, record):
        model = record.content_type.model_class()
        return model._meta.verbose_name if model is not None else record.content_type.model

    def _related_names(self):
        """The names behind the foreign keys of the shown entries: one query per related model."""
        if not hasattr(self, "_names"):
            from portal.audit import related_names

            page = getattr(self, "page", None)
            entries = page.object_list.data if page is not None else self.data.data
            self._names = related_names(list(entries))
        return self._names

    def render_changes(self, record):
        from django.utils.translation import gettext

        from portal.audit import readable_changes

        changes = readable_changes(record, self._related_names())
        if not changes:
            return "—"
        items = format_html_join(
            "",
            "<li>{}</li>",
            (
                (gettext("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old, "new": new},)
                for label, old, new in changes
            ),
        )
        return format_html('<ul class="audit-changes">{}</ul>', items)

    def render_record(self, record):
        from django.utils.translation import gettext

        number = gettext("No. %(number)s") % {"number": record.object_pk}
        return format_html("{} ({})", record.object_repr, number)
