import django.db.models.deletion
from django.db import migrations, models


def _bank(on_delete):
    return models.ForeignKey(
        on_delete=on_delete, related_name="+", to="portal.organization", verbose_name="bank"
    )


class Migration(migrations.Migration):
    dependencies = [("interpreters", "0005_fill_bank")]

    operations = [
        migrations.AlterField("request", "bank", _bank(django.db.models.deletion.PROTECT)),
        migrations.AlterField("registration", "bank", _bank(django.db.models.deletion.PROTECT)),
        migrations.AlterField("rate", "bank", _bank(django.db.models.deletion.CASCADE)),
        migrations.AlterField("statement", "bank", _bank(django.db.models.deletion.PROTECT)),
        migrations.AddConstraint(
            model_name="rate",
            constraint=models.UniqueConstraint(fields=("bank", "modality"), name="interpreters_one_rate_per_modality"),
        ),
        migrations.AddConstraint(
            model_name="statement",
            constraint=models.UniqueConstraint(fields=("bank", "number"), name="interpreters_one_statement_number"),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["bank", "status", "starts_at"], name="interpreter_bank_id_1c35e7_idx"),
        ),
    ]
