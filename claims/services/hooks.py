"""What claims add to the rules of entries (registered in ``ClaimsConfig.ready()``).

- ``entries.entry_withdrawal_blockers``: an entry used by a live claim (a line, or a full
  award claimed on it) cannot be withdrawn; ``withdraw_entry`` asks under the entry's row
  lock, which ``add_line`` takes too.
- ``entries.results_exist_checks``: a candidate in a submitted claim
  (``selectors.candidate_in_submitted_claim``) is fixed, like one with results: who they are
  changes only through staff. ``submit_claim`` takes the candidates' row locks.
"""

from ..models import Claim, ClaimLine, FullAwardRequest


def _label(claim) -> str:
    return f"claim {claim.number}" if claim.number else "a draft claim"


def live_claim_blocks_entry_withdrawal(entry) -> str | None:
    line = (
        ClaimLine.objects.filter(
            entry=entry, claim__status__in=Claim.LIVE, released_at__isnull=True
        )
        .select_related("claim")
        .first()
    )
    if line is not None:
        return f"the candidate is claimed on {_label(line.claim)}."
    if entry.unit_id is None and entry.candidate_id:
        award = (
            FullAwardRequest.objects.filter(
                candidate_id=entry.candidate_id,
                claim__qualification_id=entry.qualification_id,
                claim__status__in=Claim.LIVE,
            )
            .select_related("claim")
            .first()
        )
        if award is not None:
            return f"the full award is claimed on {_label(award.claim)}."
    return None
