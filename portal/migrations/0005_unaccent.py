from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL's unaccent, for portal.db.Fold (searches and sorts ignore accents).

    The operation does nothing on other databases (SQLite registers a Python function instead).
    """

    dependencies = [("portal", "0004_export_pdf")]

    operations = [UnaccentExtension()]
