"""The 48-hour breach email is recorded in the send-once notice table (``ocradmin.SentNotice``)
instead of on the entry: each entry already emailed about keeps its record there."""

import uuid

from django.db import migrations

KEY = "entries.processing:breach"


def copy_to_sent_notices(apps, schema_editor):
    Entry = apps.get_model("entries", "Entry")
    SentNotice = apps.get_model("ocradmin", "SentNotice")
    ContentType = apps.get_model("contenttypes", "ContentType")
    notified = Entry.objects.filter(breach_notified_at__isnull=False).values_list(
        "pk", "breach_notified_at"
    )
    if not notified.exists():
        return
    entry_type, _ = ContentType.objects.get_or_create(app_label="entries", model="entry")
    claim = uuid.uuid4()
    SentNotice.objects.bulk_create(
        (
            SentNotice(
                key=KEY, target_type=entry_type, target_id=pk, claim=claim, sent_at=sent_at
            )
            for pk, sent_at in notified.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


def copy_back(apps, schema_editor):
    Entry = apps.get_model("entries", "Entry")
    SentNotice = apps.get_model("ocradmin", "SentNotice")
    for pk, sent_at in SentNotice.objects.filter(
        key=KEY, target_type__app_label="entries", target_type__model="entry"
    ).values_list("target_id", "sent_at"):
        Entry.objects.filter(pk=pk).update(breach_notified_at=sent_at)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("entries", "0002_entry_scan_index_breaks_ties_by_id"),
        ("ocradmin", "0002_sent_notice_table"),
    ]

    operations = [
        migrations.RunPython(copy_to_sent_notices, copy_back),
        migrations.RemoveField(model_name="entry", name="breach_notified_at"),
    ]
