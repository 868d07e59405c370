"""Django admin's audit events searched by action or by person, newest first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ocradmin", "0005_audit_list_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "-at", "-id"], name="audit_action_list_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "-at", "-id"], name="audit_actor_list_idx"),
        ),
    ]
