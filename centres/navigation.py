"""The centre's section tabs. Each app adds its sections in ``AppConfig.ready()``;
a user sees a tab only when they hold the permission the section's page checks."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    permission: str


_sections: list[Section] = []


def register_section(*, key: str, label: str, url_name: str, permission: str) -> None:
    """A key registered twice raises (two apps, or one module imported twice)."""
    if any(s.key == key for s in _sections):
        raise ImproperlyConfigured(f"A centre section with the key {key!r} is already registered.")
    _sections.append(Section(key=key, label=label, url_name=url_name, permission=permission))


def sections_for(user, centre) -> list[dict]:
    return [
        {"key": s.key, "label": s.label, "url": reverse(s.url_name, args=[centre.number])}
        for s in _sections
        if user.has_perm(s.permission, centre)
    ]
