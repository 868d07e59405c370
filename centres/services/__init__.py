"""Every state change in the centres app, one module per area:
``people`` (roles, invitations, head of centre), ``applications`` (centre approval),
``approvals`` (qualification approvals), ``moderators`` (examiner-moderator specialisms)."""


class CentreError(Exception):
    """A refused centre action; the message is shown to the user as it is."""
