"""Every state change of moderation: one function per transition (``review.py``; the staff's
reallocation and the results clock in ``staff.py`` and ``clock.py``)."""


class ModerationError(Exception):
    """A move the review's state does not allow, or bad input; the message is for the user."""


class StaleVersion(ModerationError):
    """The page was opened before another change to the same review or line."""
