"""The interpreter bank's own organization key: establishments served, and a bank on requests,
registrations, rates and statements (nullable here, filled by 0005, required from 0006)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interpreters", "0003_rate_snapshot"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ServedEstablishment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "establishment",
                    models.OneToOneField(
                        limit_choices_to={"kind": "health_establishment"},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interpreter_bank_link",
                        to="portal.organization",
                        verbose_name="establishment",
                    ),
                ),
                (
                    "bank",
                    models.ForeignKey(
                        limit_choices_to={"kind": "interpreter_bank"},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="served_establishments",
                        to="portal.organization",
                        verbose_name="bank",
                    ),
                ),
            ],
            options={"verbose_name": "establishment served", "verbose_name_plural": "establishments served"},
        ),
        migrations.AddField(
            model_name="request",
            name="bank",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.organization",
                verbose_name="bank",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="bank",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.organization",
                verbose_name="bank",
            ),
        ),
        migrations.AddField(
            model_name="rate",
            name="bank",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="portal.organization",
                verbose_name="bank",
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="bank",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.organization",
                verbose_name="bank",
            ),
        ),
        migrations.AlterField(
            model_name="rate",
            name="modality",
            field=models.CharField(
                choices=[("in_person", "In person"), ("phone", "By phone"), ("video", "By video")],
                max_length=10,
                verbose_name="modality",
            ),
        ),
        migrations.AlterField(
            model_name="statement",
            name="number",
            field=models.CharField(max_length=30, verbose_name="statement number"),
        ),
    ]
