"""Qualification approvals: a centre asks to offer a qualification; staff decide.

``require_approved_qualification`` is the check every later service (entries first) calls
before it lets a centre use a qualification, so the rule holds whatever a form shows.
Later apps register ``withdrawal_blockers`` so an approval with live work cannot be withdrawn
without centres importing them.
"""

from collections.abc import Callable

from ..models import QualificationApproval
from . import CentreError

# Each blocker is ``(centre, qualification) -> str | None``: a reason the approval must stay.
withdrawal_blockers: list[Callable] = []


def register_withdrawal_blocker(func: Callable) -> Callable:
    if func not in withdrawal_blockers:
        withdrawal_blockers.append(func)
    return func


def is_approved_for(*, centre, qualification) -> bool:
    return QualificationApproval.objects.filter(
        centre=centre, qualification=qualification, status=QualificationApproval.Status.APPROVED
    ).exists()


def approved_qualification_ids(centre) -> set[int]:
    """One query: the ids of every qualification the centre is approved for."""
    return set(
        QualificationApproval.objects.filter(
            centre=centre, status=QualificationApproval.Status.APPROVED
        ).values_list("qualification_id", flat=True)
    )


def require_approved_qualification(*, centre, qualification) -> None:
    """Raise CentreError unless the centre is approved and approved for this qualification."""
    if not centre.is_approved:
        raise CentreError(f"Centre {centre.number} is not an approved centre.")
    if not qualification.is_active:
        raise CentreError(f"{qualification.entry_code} is no longer offered.")
    if not is_approved_for(centre=centre, qualification=qualification):
        raise CentreError(
            f"Centre {centre.number} is not approved for {qualification.entry_code} "
            f"{qualification.title}. Request approval on the centre's Qualifications page."
        )
