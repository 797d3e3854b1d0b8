"""The reference lists of the CommunityCare NB guide (orders/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from orders.reference import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
