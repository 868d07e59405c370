"""Every state change in the claims app, one module per area: ``claims`` (starting a claim,
its lines and full awards, submission), ``work`` (the evidence, the postal dispatch and the
moderator's receipt), ``hooks`` (what claims add to the rules of entries)."""


class ClaimError(Exception):
    """A refused claims action; the message is shown to the user as it is."""
