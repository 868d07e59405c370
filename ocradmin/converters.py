class CentreNumberConverter:
    """A centre number in a URL: exactly five digits."""

    regex = r"[0-9]{5}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class EntryCodeConverter:
    """An entry code in a URL: capitals and digits with at least one digit (``05838``,
    ``H446``), so words like ``teachers`` stay free for other pages beside it."""

    regex = r"[A-Z0-9]*[0-9][A-Z0-9]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)
