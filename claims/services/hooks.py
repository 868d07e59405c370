"""What claims add to the rules of entries (registered when the app is ready).

- An entry used by a live claim (a line, or a full award claimed on it) cannot be withdrawn;
  ``withdraw_entry`` asks under the entry's row lock, which ``add_line`` takes too.
- A candidate in a submitted claim counts as having results for the identity rule: a change
  to who they are is flagged to staff.
"""

from entries.services.candidates import register_results_exist_check
from entries.services.entries import register_entry_withdrawal_blocker

from ..models import Claim, ClaimLine, FullAwardRequest
from ..selectors import candidate_in_submitted_claim


def _label(claim) -> str:
    return f"claim {claim.number}" if claim.number else "a draft claim"


@register_entry_withdrawal_blocker
def live_claim_blocks_entry_withdrawal(entry) -> str | None:
    line = (
        ClaimLine.objects.filter(entry=entry, claim__status__in=Claim.LIVE)
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


register_results_exist_check(candidate_in_submitted_claim)
