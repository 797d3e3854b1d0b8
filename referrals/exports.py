"""The EDMT accountability report as an Excel file (portal.exports runs it as the person who asked)."""

from datetime import date

from django.utils.translation import gettext as _

from referrals.reports import selectors as report_selectors


def accountability(*, user, params):
    start, end = date.fromisoformat(params["start"]), date.fromisoformat(params["end"])
    agency = (
        report_selectors.report_agencies(user).filter(pk=params.get("agency")).first()
        if params.get("agency")
        else None
    )
    if params.get("agency") and agency is None:
        return [], []
    rows = report_selectors.edmt_interventions(user, start=start, end=end, agency=agency)
    headers = [
        _("Agency"),
        _("Case ID"),
        _("Program"),
        _("Intervention type"),
        _("Funding type"),
        _("Start date"),
        _("End date"),
        _("Status"),
        _("Funding approved"),
    ]

    def lines():
        for item in rows.iterator(chunk_size=500):
            yield [
                item.case.agency.name,
                item.case.number,
                item.case.program.name,
                item.intervention_type.name,
                item.funding_type.name,
                item.planned_start,
                item.planned_end,
                item.get_status_display(),
                float(item.approved_amount or 0),
            ]

    return headers, lines()
