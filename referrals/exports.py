"""The EDMT accountability report as an Excel file (portal.exports runs it as the person who asked),
with the columns of its table (referrals.tables.AccountabilityTable)."""

from datetime import date

from portal.exports import from_table
from referrals.reports import selectors as report_selectors
from referrals.tables import AccountabilityTable


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
    return from_table(AccountabilityTable, rows, chunk_size=500)
