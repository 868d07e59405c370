"""A partial index of live named entries by centre, qualification and candidate: the grades
pages' and the dashboard's per-qualification totals (distinct candidates) and their graded
counts (a probe per grade) read it alone, not the centre's every entry."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("entries", "0011_entry_processing_clock_index")]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(
                    ("kind", "named"), ("status__in", ["submitted", "accepted", "needs_review"])
                ),
                fields=["centre", "qualification", "candidate"],
                name="entry_live_named_idx",
            ),
        ),
    ]
