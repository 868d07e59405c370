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
    doc="""``(candidate) -> bool``: True when the candidate has results, so a change to who
    they are is audited as such and staff are told. Asked by ``update_candidate``.
    Lock: the caller holds the Candidate row lock (after the Centre's). A writer of a
    candidate's results takes the Candidate row lock first.""",
)
