from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models import Q

# portal.db.Fold on PostgreSQL. unaccent() is only STABLE (its dictionary could change), so no index
# may be built on lower(unaccent(x)); this wrapper names the dictionary and is declared IMMUTABLE,
# the usual way to make accent-insensitive searches indexable (referrals' trigram indexes on names).
CREATE = """
CREATE OR REPLACE FUNCTION liaison_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""
DROP = "DROP FUNCTION IF EXISTS liaison_fold(text)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    """liaison_fold(text) for portal.db.Fold, and pg_trgm for the trigram indexes on names (both
    do nothing on other databases: SQLite registers a Python function of the same name); the home
    page's partial indexes on open tasks and unread notifications."""

    dependencies = [("portal", "0012_waiting_room")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=Q(done_at__isnull=True), fields=["assignee", "due_date", "id"], name="portal_task_open"
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=Q(read_at__isnull=True),
                fields=["recipient", "due_date", "id"],
                name="portal_notification_unread",
            ),
        ),
    ]
