"""An export built from a list's table (portal.exports.from_table): the table's columns, in its
order, with what django-tables2 exports; dates stay dates; file-only and left-out columns."""

from datetime import datetime
from zoneinfo import ZoneInfo

import django_tables2 as tables
import pytest
from django.utils import timezone, translation

from portal.exports import from_table
from portal.models import User
from tests.factories import UserFactory


class PeopleTable(tables.Table):
    email = tables.Column(verbose_name="Email")
    preferred_language = tables.Column(verbose_name="Language")
    date_joined = tables.DateTimeColumn(verbose_name="Joined", format="SHORT_DATETIME_FORMAT")
    last_name = tables.Column(verbose_name="Last name", visible=False)
    first_name = tables.Column(verbose_name="First name")

    class Meta:
        model = User
        fields = ("email", "preferred_language", "date_joined", "last_name", "first_name")
        sequence = fields

    def render_email(self, value):
        return f"<a href='mailto:{value}'>{value}</a>"

    def value_email(self, value):
        return value.upper()


@pytest.mark.django_db
def test_the_file_has_the_tables_columns_and_typed_cells():
    joined = datetime(2026, 12, 1, 18, 30, tzinfo=ZoneInfo("UTC"))
    UserFactory(email="ana@example.org", last_name="Roy", preferred_language="en", date_joined=joined)
    with translation.override("en"):
        headers, rows = from_table(PeopleTable, User.objects.all(), exclude=("first_name",))
        rows = list(rows)
    assert headers == ["Email", "Language", "Joined", "Last name"]  # the hidden column is in the file
    ((email, language, at, last_name),) = rows
    assert email == "ANA@EXAMPLE.ORG"  # the table's value_email, not its rendering
    assert language == "English"  # a choice in words
    assert at == joined and at.tzinfo == timezone.get_current_timezone()  # a date-time, local
    assert last_name == "Roy"
