from django.db import migrations, models
from django.db.models import Q


def flag_billable(apps, schema_editor):
    # Issuing used to re-read every billable service; from now on it reads the month's and the
    # flagged ones. Flag them all once: the next issuing settles them (it adds a line only where
    # what is owed differs from what statements carried) and clears the flags.
    Request = apps.get_model("interpreters", "Request")
    Request.objects.filter(Q(status="validated") | Q(status="cancelled", late_cancellation=True)).update(
        to_bill=True
    )


class Migration(migrations.Migration):
    dependencies = [("interpreters", "0007_history_entry")]

    operations = [
        migrations.AddField(
            model_name="request",
            name="to_bill",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(flag_billable, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["bank", "starts_at", "id"], name="interpreters_req_bank_starts"),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["bank", "date"], name="interpreters_req_bank_date"),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(condition=Q(to_bill=True), fields=["bank"], name="interpreters_req_to_bill"),
        ),
    ]
