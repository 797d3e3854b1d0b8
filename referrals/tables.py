import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.db import NameColumn
from referrals.models import (
    Agreement,
    BusinessPartner,
    Case,
    CorrespondenceTemplate,
    FundingRequest,
    Intervention,
    Referral,
)


class CaseTable(tables.Table):
    number = tables.Column(verbose_name=_("Case ID"), linkify=lambda record: record.get_absolute_url())
    person = NameColumn(
        verbose_name=_("Person"),
        accessor="person__display_name",
        order_by=("person__last_name", "person__first_name"),
    )
    program = NameColumn(verbose_name=_("Program"), order_by=("program__name",))
    status = tables.Column(verbose_name=_("Status"))
    case_manager = NameColumn(
        verbose_name=_("Case manager"), order_by=("case_manager__last_name", "case_manager__first_name")
    )
    office = NameColumn(verbose_name=_("Office"), accessor="office__name", order_by=("office__name",))
    agency = NameColumn(verbose_name=_("Agency"), order_by=("agency__name",))
    opened_on = tables.DateColumn(verbose_name=_("Opened on"), format="SHORT_DATE_FORMAT")

    class Meta:
        model = Case
        fields = ("number", "person", "program", "status", "case_manager", "office", "agency", "opened_on")
        order_by = ("-number",)
        empty_text = _("No case matches.")

    def render_case_manager(self, value):
        return value.get_full_name() or value.email


class PartnerTable(tables.Table):
    name = NameColumn(
        verbose_name=_("Name"),
        linkify=lambda record: reverse("referrals:partner", args=[record.pk]),
        order_by=("name",),
    )
    services = tables.Column(verbose_name=_("Services offered"), empty_values=(), orderable=False)
    city = NameColumn(verbose_name=_("City or town"), order_by=("city",))
    phone = tables.Column(verbose_name=_("Telephone"), default="—")
    visibility = tables.Column(verbose_name=_("Visibility"), empty_values=(), orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("Active"), yesno=(_("Yes"), _("No")))

    class Meta:
        model = BusinessPartner
        fields = ("name", "services", "city", "phone", "visibility", "is_active")
        empty_text = _("No business partner matches.")

    def render_services(self, record):
        return ", ".join(service.name for service in record.services.all()) or "—"

    def render_visibility(self, record):
        return _("Public") if record.is_public else _("Private to my agency")


class FundingRequestTable(tables.Table):
    case = tables.Column(
        verbose_name=_("Case ID"),
        accessor="intervention__case__number",
        linkify=lambda record: reverse("referrals:funding_decide", args=[record.pk]),
    )
    person = tables.Column(
        verbose_name=_("Person"), accessor="intervention__case__person__display_name", orderable=False
    )
    agency = NameColumn(
        verbose_name=_("Agency"),
        accessor="intervention__case__agency",
        order_by=("intervention__case__agency__name",),
    )
    intervention = NameColumn(
        verbose_name=_("Intervention type"),
        accessor="intervention__intervention_type",
        order_by=("intervention__intervention_type__name",),
    )
    amount = tables.Column(verbose_name=_("Amount requested"))
    requested_at = tables.DateColumn(verbose_name=_("Requested"), format="SHORT_DATE_FORMAT")
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = FundingRequest
        fields = ("case", "person", "agency", "intervention", "amount", "requested_at", "status")
        order_by = ("requested_at",)
        empty_text = _("No funding request here.")

    def render_amount(self, value):
        from django.utils import formats

        return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} $"


class AgreementTable(tables.Table):
    number = tables.Column(verbose_name=_("Agreement number"))
    agency = NameColumn(
        verbose_name=_("Employment agency"),
        linkify=lambda record: reverse("referrals:agency", args=[record.agency_id]),
        order_by=("agency__name",),
    )
    start_date = tables.DateColumn(verbose_name=_("Start date"), format="SHORT_DATE_FORMAT")
    end_date = tables.DateColumn(verbose_name=_("End date"), format="SHORT_DATE_FORMAT", default="—")
    funding_active = tables.BooleanColumn(
        verbose_name=_("Funding agreement active"), yesno=(_("Yes"), _("No"))
    )
    ecm_enabled = tables.BooleanColumn(verbose_name=_("External case management"), yesno=(_("Yes"), _("No")))
    client_tracking = tables.BooleanColumn(verbose_name=_("Client tracking"), yesno=(_("Yes"), _("No")))

    class Meta:
        model = Agreement
        fields = (
            "number",
            "agency",
            "start_date",
            "end_date",
            "funding_active",
            "ecm_enabled",
            "client_tracking",
        )
        empty_text = _("No agreement yet.")


class ReferenceTable(tables.Table):
    name = NameColumn(verbose_name=_("Name"), empty_values=(), order_by=("name",))
    code = tables.Column(verbose_name=_("Code"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"), yesno=(_("Yes"), _("No")))
    position = tables.Column(verbose_name=_("Order"))

    class Meta:
        fields = ("name", "code", "position", "is_active")
        empty_text = _("The list is empty.")

    def __init__(self, *args, kind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render_name(self, record):
        from django.utils.html import format_html

        return format_html(
            '<a href="{}">{}</a>',
            reverse("referrals:reference_edit", args=[self.kind, record.pk]),
            record.name,
        )


class AccountabilityTable(tables.Table):
    """The EDMT report's list, and its Excel file (referrals.exports): the columns declared
    visible=False are in the file only."""

    agency = NameColumn(verbose_name=_("Agency"), accessor="case__agency", order_by=("case__agency__name",))
    case = tables.Column(
        verbose_name=_("Case ID"),
        accessor="case__number",
        linkify=lambda record: record.case.get_absolute_url(),
    )
    program = NameColumn(verbose_name=_("Program"), accessor="case__program", visible=False)
    intervention_type = NameColumn(verbose_name=_("Intervention type"), order_by=("intervention_type__name",))
    funding_type = NameColumn(verbose_name=_("Funding type"), visible=False)
    planned_start = tables.DateColumn(verbose_name=_("Start date"), format="SHORT_DATE_FORMAT")
    planned_end = tables.DateColumn(verbose_name=_("End date"), format="SHORT_DATE_FORMAT")
    status = tables.Column(verbose_name=_("Status"))
    # No funding approved: "—" on the page, 0 in the file (empty_values=(): both are asked).
    approved_amount = tables.Column(verbose_name=_("Funding approved"), empty_values=(), orderable=False)

    class Meta:
        model = Intervention
        fields = (
            "agency",
            "case",
            "program",
            "intervention_type",
            "funding_type",
            "planned_start",
            "planned_end",
            "status",
            "approved_amount",
        )
        sequence = fields
        empty_text = _("No EDMT intervention in this period.")

    def render_approved_amount(self, value):
        from django.utils import formats

        if value is None:
            return "—"
        return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} $"

    def value_approved_amount(self, value):
        return float(value or 0)


class IncomingTable(tables.Table):
    person = NameColumn(
        verbose_name=_("Person"),
        accessor="case__person__display_name",
        linkify=lambda record: reverse("referrals:incoming_detail", args=[record.pk]),
        order_by=("case__person__last_name", "case__person__first_name"),
    )
    case = tables.Column(verbose_name=_("Case ID"), accessor="case__number")
    referral_type = tables.Column(verbose_name=_("Referral type"))
    # The agency that sent it, as recorded then (not the case's agency: a later transfer moves it).
    sending_agency = NameColumn(
        verbose_name=_("Referred by"), accessor="sending_agency", order_by=("sending_agency__name",)
    )
    sent_at = tables.DateColumn(verbose_name=_("Referral date"), format="SHORT_DATE_FORMAT")
    # The receiving agency's answer (informational referrals; none for a transfer).
    response_status = tables.Column(verbose_name=_("Response"), default="—")

    class Meta:
        model = Referral
        fields = ("person", "case", "referral_type", "sending_agency", "sent_at", "response_status")
        order_by = ("-sent_at",)
        empty_text = _("No client referred to your agency matches.")


class TemplateTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Name"), linkify=lambda record: reverse("referrals:template_edit", args=[record.pk])
    )
    referral_type = tables.Column(verbose_name=_("Referral type"))
    language = tables.Column(verbose_name=_("Language"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"), yesno=(_("Yes"), _("No")))

    class Meta:
        model = CorrespondenceTemplate
        fields = ("name", "referral_type", "language", "is_active")
        empty_text = _("No template yet.")
