"""Who referred, recorded on the referral when sent (issue 19): a later transfer changes the
case's agency and case manager, not the sender of the referrals sent before it. Referrals already
sent take the case's current agency and case manager (the best known)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_senders(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Case = apps.get_model("referrals", "Case")
    case = Case.objects.filter(pk=OuterRef("case_id"))
    Referral.objects.filter(sent_at__isnull=False, sending_agency__isnull=True).update(
        sending_agency=Subquery(case.values("agency_id")[:1]),
        referred_by=Subquery(case.values("case_manager_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0013_fold_function"),
        ("referrals", "0007_person_name_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="referred_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="referred by",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="sending_agency",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.organization",
                verbose_name="sending agency",
            ),
        ),
        migrations.RunPython(fill_senders, migrations.RunPython.noop),
    ]
