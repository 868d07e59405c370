from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

LONDON = ZoneInfo("Europe/London")


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def seed(apps, schema_editor):
    GradeSeries = apps.get_model("grades", "GradeSeries")
    GradeSeries.objects.update_or_create(
        code="summer-2021",
        defaults={
            "name": "Summer 2021",
            "users_open_at": at(2021, 3, 22),
            "materials_open_at": at(2021, 3, 31),
            "head_details_open_at": at(2021, 4, 30),
            "submission_opens_at": at(2021, 5, 26),
            # Open all of 18 June: closes at the start of the 19th.
            "submission_closes_at": at(2021, 6, 19),
            "is_current": True,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("grades", "GradeSeries").objects.filter(code="summer-2021").delete()


class Migration(migrations.Migration):
    dependencies = [("grades", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
