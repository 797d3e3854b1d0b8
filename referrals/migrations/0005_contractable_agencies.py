# The agencies each department may contract (reference data kept by platform staff).

import django.db.models.deletion
from django.db import migrations, models


def existing_agreements_are_allowed(apps, schema_editor):
    """Agreements signed before this list existed keep their agency: each pair becomes allowed."""
    Agreement = apps.get_model("referrals", "Agreement")
    ContractableAgency = apps.get_model("referrals", "ContractableAgency")
    pairs = set(Agreement.objects.values_list("department_id", "agency_id"))
    ContractableAgency.objects.bulk_create(
        [
            ContractableAgency(department_id=department, agency_id=agency)
            for department, agency in sorted(pairs)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_home_item_columns"),
        ("referrals", "0004_correspondence_templates"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContractableAgency",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        limit_choices_to={"kind": "employment_agency"},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contracting_departments",
                        to="portal.organization",
                        verbose_name="employment agency",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        limit_choices_to={"kind": "department"},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portal.organization",
                        verbose_name="department",
                    ),
                ),
            ],
            options={
                "verbose_name": "agency the department may contract",
                "verbose_name_plural": "agencies departments may contract",
                "ordering": ["department__name", "agency__name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("department", "agency"), name="referrals_contractable_agency_once"
                    )
                ],
            },
        ),
        migrations.RunPython(existing_agreements_are_allowed, migrations.RunPython.noop),
    ]
