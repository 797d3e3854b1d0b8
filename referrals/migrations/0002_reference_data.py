"""The reference lists of the LaMPSS guides (referrals/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from referrals.reference import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
