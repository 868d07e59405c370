"""Forms for entering grades: the grid posted whole (without JavaScript) and the upload."""

from ocradmin.forms import Form
from ocradmin.imports import SpreadsheetField


class GradeUploadForm(Form):
    file = SpreadsheetField(label="Grades file (CSV or Excel .xlsx)")


def grid_changes(data, rows):
    """The rows of a posted grid whose grade differs from the one the page showed.

    Each row posts ``grade-<id>``, ``version-<id>`` and ``original-<id>`` (the grade shown).
    Returns ``(changes, posted)``: ``(candidate_id, grade, version)`` tuples for the service,
    and ``{candidate_id: grade}`` as posted, to show again if the save is refused. Rows with a
    missing or malformed version are treated as unchanged.
    """
    changes, posted = [], {}
    for row in rows:
        key = row.candidate.pk
        if f"grade-{key}" not in data:
            continue
        grade = data.get(f"grade-{key}", "").strip()
        posted[key] = grade
        try:
            version = int(data.get(f"version-{key}", ""))
        except ValueError:
            continue
        if grade != data.get(f"original-{key}", "").strip():
            changes.append((key, grade, version))
    return changes, posted
