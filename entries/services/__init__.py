"""Every state change in the entries app, one module per area:
``candidates``, ``arrangements`` (access arrangements), ``entries`` (making and withdrawing
entries, single or in bulk), ``processing`` (the 24–48 h job and moderator allocation),
``uploads`` (bulk upload files)."""


class EntryError(Exception):
    """A refused entries action; the message is shown to the user as it is."""
