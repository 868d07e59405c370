"""Read queries that views and tasks share, scoped to a centre and free of N+1 queries."""

from centres.models import Qualification, Role
from centres.selectors import roles_at
from entries.models import Entry

from .models import GradeSeries, TeacherAssignment


def current_series() -> GradeSeries | None:
    return GradeSeries.objects.filter(is_current=True).first()


def qualifications_for_grader(user, centre, series):
    """The qualifications a user may grade at a centre: every TAG qualification the centre
    has named entries for (centre admin), or those assigned to them (teacher)."""
    entered = Qualification.objects.filter(
        available_for_tags=True,
        pk__in=Entry.objects.filter(
            centre=centre, kind=Entry.Kind.NAMED, status__in=Entry.LIVE
        ).values("qualification_id"),
    )
    if Role.CENTRE_ADMIN in roles_at(user, centre):
        return entered
    return entered.filter(
        pk__in=TeacherAssignment.objects.filter(series=series, centre=centre, teacher=user).values(
            "qualification_id"
        )
    )
