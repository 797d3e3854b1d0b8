"""Languages, types of service and rates of the interpreter bank (interpreters/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from interpreters.reference import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("interpreters", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
