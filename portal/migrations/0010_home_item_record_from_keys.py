"""Existing tasks and notifications get their typed link (record + purpose) from their keys.

Keys were "<person>:<what the app wrote>", and the apps wrote the record into them; the rows made
before the typed link existed are read once here. A key this does not recognise leaves the row
without a link (as it was: nothing read it but by its key).
"""

import re

from django.db import migrations

# (pattern of the key after "<person>:", app label, model, purpose: a fixed word or a group's name)
PATTERNS = [
    (r"referrals\.case\.(?P<id>\d+)\.develop-plan\..*", "referrals", "case", "develop-plan"),
    (r"referrals\.case\.(?P<id>\d+)\.intervention\.\d+\.(?P<purpose>start|end)\..*", "referrals", "case", "intervention.{purpose}"),
    (r"referrals\.case\.(?P<id>\d+)\.referral\.\d+\.failed\..*", "referrals", "case", "referral.failed"),
    (r"referrals\.case\.(?P<id>\d+)\.transfer\.\d+\.task", "referrals", "case", "transfer"),
    (r"referrals\.case\.(?P<id>\d+)\.transfer\.\d+\.received", "referrals", "case", "transfer.received"),
    (r"referrals\.case\.(?P<id>\d+)\.(?P<purpose>assigned|task|funding)\..*", "referrals", "case", "{purpose}"),
    (r"referrals\.case\.(?P<id>\d+)\..*", "referrals", "case", ""),
    (r"referrals\.agreement\.(?P<id>\d+)\.(?P<purpose>created|changed).*", "referrals", "agreement", "{purpose}"),
    (r"referrals\.transferred\.(?P<id>\d+)", "referrals", "referral", "transferred"),
    (r"orders:(?P<purpose>accepted|declined):(?P<id>\d+):\d+", "orders", "ordersummary", "{purpose}"),
    (r"orders:report:(?P<id>\d+)", "orders", "servicereport", "report"),
    (r"interpreters\.registration\.(?P<id>\d+)", "interpreters", "registration", "waiting"),
    (r"interpreters\.(?P<id>\d+)\.(?P<purpose>[a-z]+).*", "interpreters", "request", "{purpose}"),
]
COMPILED = [(re.compile(r"\d+:" + pattern + r"\Z"), app, model, purpose) for pattern, app, model, purpose in PATTERNS]


def link(key):
    """(app label, model, id, purpose) named by a key, or None."""
    for pattern, app, model, purpose in COMPILED:
        match = pattern.match(key or "")
        if match:
            return app, model, int(match["id"]), purpose.format(**match.groupdict())[:60]
    return None


def fill(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {}
    for name in ("Task", "Notification"):
        model = apps.get_model("portal", name)
        rows = model.objects.filter(record_type__isnull=True, key__isnull=False).only("pk", "key")
        for row in rows.iterator():
            found = link(row.key)
            if found is None:
                continue
            app, model_name, record_id, purpose = found
            if (app, model_name) not in types:
                types[app, model_name] = ContentType.objects.get_or_create(app_label=app, model=model_name)[0]
            model.objects.filter(pk=row.pk).update(
                record_type=types[app, model_name], record_id=record_id, purpose=purpose
            )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0009_home_item_record"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
