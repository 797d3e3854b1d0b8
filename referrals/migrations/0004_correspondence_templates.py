"""The referral letters of the LaMPSS referral guide, in French and English (referrals/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from referrals.reference import load_templates

    load_templates(apps)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_referrals_and_transfer")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
