"""The "Awarding-body staff" group: what staff may do in Django admin (superuser stays apart).

Staff edit the qualification catalogue, centres, entries, the grade series and closure days;
they read the audit trail, notifications and accounts (and may switch an account on or off, not
make anyone a superuser: ``ocradmin.admin.UserAdmin``); they clear sign-in lock-outs.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Awarding-body staff"
FULL_APPS = ("centres", "entries", "grades")
EXTRA = {
    "ocradmin": [
        "view_user",
        "change_user",
        "view_auditevent",
        "view_notification",
        "add_closureday",
        "change_closureday",
        "delete_closureday",
        "view_closureday",
        "view_heartbeat",
    ],
    "axes": ["view_accessattempt", "delete_accessattempt", "view_accesslog"],
}


def make_staff_group(apps, schema_editor):
    # Permissions are normally made after every migration has run; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_staff_permissions(apps, schema_editor)


def grant_staff_permissions(apps, schema_editor=None):
    """The group and its permissions, once the permissions exist (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = list(Permission.objects.filter(content_type__app_label__in=FULL_APPS))
    for app_label, codenames in EXTRA.items():
        permissions += Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    group.permissions.add(*permissions)


def remove_staff_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ocradmin", "0003_single_line_text"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("centres", "0005_head_of_centre_acceptance"),
        ("entries", "0005_single_line_text"),
        ("grades", "0005_single_line_text"),
    ]

    operations = [migrations.RunPython(make_staff_group, remove_staff_group)]
