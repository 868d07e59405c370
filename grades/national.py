"""The grades part of the national dataset: the 2021 grades of every centre in every state
(not started, being graded, sent, returned, approved; about 40% of centres submitted), their
audit events, and the demo centre's large grid half graded."""

from datetime import timedelta

from django.utils import timezone

from centres.models import Centre, Qualification
from entries.models import Entry
from ocradmin.national import DEMO_CENTRE, Plan

from .models import CentreSubmission, Grade, QualificationGrades
from .selectors import current_series
from .services.submission import CONFIRMATIONS

Status = QualificationGrades.Status
SUBMITTED_SHARE = 0.4
# (share, state, share of candidates graded) for a centre that has not submitted.
STATES = [
    (0.25, None, 0.0),
    (0.30, Status.IN_PROGRESS, 0.5),
    (0.20, Status.SENT, 1.0),
    (0.05, Status.RETURNED, 1.0),
    (0.20, Status.APPROVED, 1.0),
]


def seed(plan: Plan) -> None:
    series = current_series()
    if series is None:
        plan.log("  grades: no current series, no grades added")
        return
    scales = dict(
        Qualification.objects.filter(available_for_tags=True).values_list("pk", "grade_scale")
    )
    done = 0
    with plan.bulk_load(Grade):
        for chunk in plan.chunks():
            with plan.transaction():
                _grade_centres(plan, series, scales, chunk)
            done += len(chunk)
            plan.progress("grades", done, len(plan.centre_sizes))
    centre = Centre.objects.filter(number=DEMO_CENTRE).first()
    if centre is not None:
        with plan.transaction():
            _grade_demo_centre(plan, series, scales, centre)


def _entered(centre_ids, scales):
    """``{(centre_id, qualification_id): [candidate_id, …]}`` of live named TAG entries."""
    pairs: dict[tuple, list] = {}
    for centre_id, qualification_id, candidate_id in (
        Entry.objects.filter(
            centre_id__in=centre_ids,
            kind=Entry.Kind.NAMED,
            status__in=Entry.LIVE,
            qualification_id__in=list(scales),
        )
        .order_by("candidate_id")
        .values_list("centre_id", "qualification_id", "candidate_id")
    ):
        pairs.setdefault((centre_id, qualification_id), []).append(candidate_id)
    return pairs


def _grade(plan, series, scales, centre_id, qualification_id, candidate_ids, when) -> list:
    scale = scales[qualification_id][:-1] or scales[qualification_id]
    triangular, top = plan.rng.triangular, len(scale) - 1
    return [
        {
            "series_id": series.pk,
            "centre_id": centre_id,
            "qualification_id": qualification_id,
            "candidate_id": candidate_id,
            "grade": scale[min(int(triangular(0, len(scale), len(scale) / 2)), top)],
            "version": 1,
            "updated_at": when,
        }
        for candidate_id in candidate_ids
    ]


def _grade_centres(plan, series, scales, centre_ids) -> None:
    now = timezone.now()
    submitted = {c for c in centre_ids if plan.rng.random() < SUBMITTED_SHARE}
    grades, states = [], []
    for (centre_id, qualification_id), candidate_ids in _entered(centre_ids, scales).items():
        if centre_id in submitted:
            state, graded = Status.APPROVED, 1.0
        else:
            share = plan.rng.random()
            for weight, state, graded in STATES:  # noqa: B007 (the last is the default)
                if share < weight:
                    break
                share -= weight
        when = now - timedelta(days=plan.rng.randint(1, 20))
        count = round(len(candidate_ids) * graded)
        grades += _grade(
            plan, series, scales, centre_id, qualification_id, candidate_ids[:count], when
        )
        if state is not None:
            sent = state != Status.IN_PROGRESS
            states.append(
                {
                    "series_id": series.pk,
                    "centre_id": centre_id,
                    "qualification_id": qualification_id,
                    "status": state,
                    "return_comment": "Please check the borderline grades."
                    if state == Status.RETURNED
                    else "",
                    "sent_at": when if sent else None,
                    "decided_at": when + timedelta(days=1)
                    if state in (Status.RETURNED, Status.APPROVED)
                    else None,
                }
            )
    saved = plan.add(Grade, grades)
    plan.audit(
        {
            "action": "grade.changed",
            "centre_id": g["centre_id"],
            "target_id": str(g["id"]),
            "target_repr": f"grade {g['id']}",
            "data": {"grade": g["grade"]},
            "at": g["updated_at"],
        }
        for g in saved
    )
    plan.add(QualificationGrades, states)
    plan.add(
        CentreSubmission,
        (
            {
                "series_id": series.pk,
                "centre_id": centre_id,
                "head_name": "Head of Centre",
                "head_job_title": "Headteacher",
                "submitted_at": now - timedelta(days=plan.rng.randint(0, 10)),
                **dict.fromkeys(CONFIRMATIONS, True),
            }
            for centre_id in sorted(submitted)
        ),
    )


def _grade_demo_centre(plan, series, scales, centre) -> None:
    """Half of each of the demo centre's new entered candidates graded, where the demo data
    left a qualification ungraded for them."""
    have = set(
        Grade.objects.filter(series=series, centre=centre).values_list(
            "qualification_id", "candidate_id"
        )
    )
    grades = []
    for (_, qualification_id), candidate_ids in _entered([centre.pk], scales).items():
        todo = [c for c in candidate_ids if (qualification_id, c) not in have]
        grades += _grade(
            plan,
            series,
            scales,
            centre.pk,
            qualification_id,
            todo[: len(todo) // 2],
            timezone.now(),
        )
    plan.add(Grade, grades)
