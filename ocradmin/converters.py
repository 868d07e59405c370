class CentreNumberConverter:
    """A centre number in a URL: exactly five digits."""

    regex = r"\d{5}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)
