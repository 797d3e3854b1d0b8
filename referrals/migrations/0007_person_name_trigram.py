from django.db import migrations

# Case search by name (referrals.filters: portal.db.text_search on the person's names) compares
# liaison_fold(name) LIKE '%word%': trigram GIN indexes on that very expression serve it.
INDEXES = [
    ("referrals_person_last_name_trgm", "last_name"),
    ("referrals_person_first_name_trgm", "first_name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON referrals_person "
            f"USING gin (liaison_fold({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    """Trigram indexes on the folded person names (PostgreSQL only; nothing on other databases).

    Built CONCURRENTLY (outside a transaction) so that a large table stays writable meanwhile."""

    atomic = False

    dependencies = [
        ("referrals", "0006_case_history_entry"),
        ("portal", "0013_fold_function"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
