"""Closing reminders are recorded in the send-once notice table (``ocradmin.SentNotice``)
instead of their own table: each reminder already sent keeps its record there."""

import uuid

from django.db import migrations


def key(series_code, days_before):
    return f"grades.closing.{series_code}:{days_before}d"


def copy_to_sent_notices(apps, schema_editor):
    WindowReminder = apps.get_model("grades", "WindowReminder")
    SentNotice = apps.get_model("ocradmin", "SentNotice")
    ContentType = apps.get_model("contenttypes", "ContentType")
    sent = WindowReminder.objects.values_list(
        "series__code", "days_before", "centre_id", "sent_at"
    )
    if not sent.exists():
        return
    centre_type, _ = ContentType.objects.get_or_create(app_label="centres", model="centre")
    claim = uuid.uuid4()
    SentNotice.objects.bulk_create(
        (
            SentNotice(
                key=key(code, days),
                target_type=centre_type,
                target_id=centre_id,
                claim=claim,
                sent_at=sent_at,
            )
            for code, days, centre_id, sent_at in sent.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


def copy_back(apps, schema_editor):
    WindowReminder = apps.get_model("grades", "WindowReminder")
    GradeSeries = apps.get_model("grades", "GradeSeries")
    SentNotice = apps.get_model("ocradmin", "SentNotice")
    for series in GradeSeries.objects.all():
        prefix = f"grades.closing.{series.code}:"
        for notice in SentNotice.objects.filter(
            key__startswith=prefix, target_type__app_label="centres", target_type__model="centre"
        ):
            WindowReminder.objects.get_or_create(
                series=series,
                centre_id=notice.target_id,
                days_before=int(notice.key.removeprefix(prefix).rstrip("d")),
                defaults={"sent_at": notice.sent_at},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("grades", "0002_seed_summer_2021"),
        ("ocradmin", "0002_sent_notice_table"),
    ]

    operations = [
        migrations.RunPython(copy_to_sent_notices, copy_back),
        migrations.DeleteModel(name="WindowReminder"),
    ]
