# The coordinator's queue at 100,000 requests (issue 16): partial covering indexes for its first
# tab, so that its count and the ids of any page, in date order or by language, are index-only reads.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interpreters", "0008_request_to_bill"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("status__in", ("submitted", "declined"))),
                fields=["bank", "starts_at", "id"],
                include=("establishment",),
                name="interpreters_req_queue_starts",
            ),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("status__in", ("submitted", "declined"))),
                fields=["bank", "language", "id"],
                include=("starts_at", "establishment"),
                name="interpreters_req_queue_lang",
            ),
        ),
    ]
