"""The rules of entries that later apps add to (see ``ocradmin/hooks.py``)."""

from ocradmin.hooks import Hook

entry_withdrawal_blockers = Hook(
    "entries.entry_withdrawal_blockers",
    doc="""``(entry) -> str | None``: a reason the entry must stay live (e.g. a claim includes
    it). Asked by ``withdraw_entry``.
    Lock: the caller holds the Entry row lock. A writer that makes something use the entry
    (a claim line) takes the same lock first.""",
)

results_exist_checks = Hook(
    "entries.results_exist_checks",
    doc="""``(candidate) -> bool``: True when the candidate's identity is fixed because it
    matters outside the centre (their grades are submitted; they have results or
    certificates): their names, date of birth, candidate number, UCI and ULN then change only
    through a correction staff approve. Asked by ``update_candidate`` and
    ``approve_correction``.
    Lock: the caller holds the Centre row lock, then the Candidate row lock. A writer of what
    a receiver reads takes one of them first (the grade submission takes the Centre's).""",
)
