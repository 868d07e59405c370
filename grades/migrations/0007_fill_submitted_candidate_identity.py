from django.db import migrations
from django.db.models import OuterRef, Subquery

SNAPSHOT = {
    "submitted_candidate_number": "candidate_number",
    "submitted_uci": "uci",
    "submitted_first_name": "first_name",
    "submitted_last_name": "last_name",
    "submitted_date_of_birth": "date_of_birth",
}


def fill(apps, schema_editor):
    """Grades already submitted keep the candidate's identity as it stands now."""
    Grade = apps.get_model("grades", "Grade")
    Candidate = apps.get_model("entries", "Candidate")
    CentreSubmission = apps.get_model("grades", "CentreSubmission")
    candidate = Candidate.objects.filter(pk=OuterRef("candidate_id"))
    for submission in CentreSubmission.objects.all():
        Grade.objects.filter(
            series_id=submission.series_id, centre_id=submission.centre_id, submitted_uci=""
        ).exclude(grade="").update(
            **{
                snapshot: Subquery(candidate.values(field)[:1])
                for snapshot, field in SNAPSHOT.items()
            }
        )


class Migration(migrations.Migration):
    dependencies = [
        ("grades", "0006_grades_keep_the_candidate_as_submitted"),
        ("entries", "0007_candidate_corrections"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
