"""The audit table's single-column indexes on ``action`` and ``at`` are covered by the list
indexes that lead with the same column (``audit_action_list_idx``, ``audit_newest_idx``): each
cost every audit write an index entry and answered nothing the others do not."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ocradmin", "0007_user_name_prefix_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=80),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
