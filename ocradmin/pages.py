"""Extension points for pages that gather every app's work: the dashboard and the staff board.

Each app registers its panels in ``AppConfig.ready()``, so the shell never imports a later app.
A panel is a template and a function ``(request, *args) -> dict | None`` (the page passes its
own object, if any); ``None`` hides the panel.
Panels render in registration order, which follows the app order in INSTALLED_APPS.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict | None]


class PanelRegistry:
    def __init__(self):
        self._panels: dict[str, Panel] = {}

    def register(self, key: str, template: str):
        """A decorator; a key registered twice raises (two apps, or one module imported twice)."""

        def decorator(func):
            if key in self._panels:
                raise ImproperlyConfigured(f"A panel with the key {key!r} is already registered.")
            self._panels[key] = Panel(key=key, template=template, context=func)
            return func

        return decorator

    def render_list(self, request, *args) -> list[dict]:
        rendered = []
        for panel in self._panels.values():
            context = panel.context(request, *args)
            if context is not None:
                rendered.append({"key": panel.key, "template": panel.template, **context})
        return rendered


dashboard = PanelRegistry()
staff_board = PanelRegistry()
