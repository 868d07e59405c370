"""Every state change in the entries app, one module per area:
``candidates``, ``arrangements`` (access arrangements), ``entries`` (making, amending and
withdrawing one entry), ``bulk`` (checking and making many named entries at once: the rows of
an upload), ``processing`` (the 24–48 h job and moderator allocation). ``rows`` is the shape of
one named entry in bulk. The upload itself runs on ``ocradmin.imports`` (``entries/uploads.py``
is its importer)."""


class EntryError(Exception):
    """A refused entries action; the message is shown to the user as it is."""
