"""CaseStatusChange takes portal.HistoryEntry's shape: changed_by → actor, changed_at → at,
comment → note (renamed, so every row keeps its data), and an action."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0005_contractable_agencies'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name='casestatuschange', old_name='changed_at', new_name='at'),
        migrations.RenameField(model_name='casestatuschange', old_name='changed_by', new_name='actor'),
        migrations.RenameField(model_name='casestatuschange', old_name='comment', new_name='note'),
        migrations.AlterModelOptions(
            name='casestatuschange',
            options={'ordering': ['-at', '-pk'], 'verbose_name': 'status change', 'verbose_name_plural': 'status changes'},
        ),
        migrations.AlterField(
            model_name='casestatuschange',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AlterField(
            model_name='casestatuschange',
            name='note',
            field=models.TextField(blank=True, verbose_name='note'),
        ),
        migrations.AddField(
            model_name='casestatuschange',
            name='action',
            field=models.CharField(blank=True, max_length=40, verbose_name='action'),
        ),
    ]
