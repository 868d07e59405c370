"""The rules of centres that later apps add to (see ``ocradmin/hooks.py``)."""

from ocradmin.hooks import Hook

withdrawal_blockers = Hook(
    "centres.withdrawal_blockers",
    doc="""``(centre, qualification) -> str | None``: a reason the centre's approval for the
    qualification must stay (e.g. "3 live entries"). Asked by ``withdraw_approval``.
    Lock: the caller holds the QualificationApproval row lock. A writer that makes what a
    receiver counts (an entry for the centre and qualification) takes the same lock first, with
    ``lock_approved_qualification``, so an entry and a withdrawal cannot both succeed. Such a
    writer locks the centre, if it does, with ``no_key=True``: the caller's commit checks its
    audit event's key to the centre, and a plain FOR UPDATE on the centre would deadlock it.""",
)

head_details_gates = Hook(
    "centres.head_details_gates",
    doc="""``(centre) -> str | None``: why the head of centre's details cannot be changed now
    (e.g. the grade series' date for them has not come). Asked by ``update_head_of_centre``.
    Lock: the caller holds the Centre row lock; every writer of an existing centre's
    head-of-centre record takes it first (the record is otherwise made with the centre).""",
)
