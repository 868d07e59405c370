"""Extension points for pages that gather every app's work: the dashboard and the staff board.

Each app registers its panels in ``AppConfig.ready()``, so the shell never imports a later app.
A panel is a template and a function ``(request, *args) -> dict | None`` (the page passes its
own object, if any); ``None`` hides the panel.
Panels render in registration order, which follows the app order in INSTALLED_APPS.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timeuntil


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


def first_and_total(queryset, n: int) -> tuple[list, int]:
    """A panel's first ``n`` rows and how many there are in all: one query when they all fit
    (the usual case for a queue kept short), a count only when they do not."""
    first = list(queryset[: n + 1])
    if len(first) <= n:
        return first, len(first)
    return first[:n], queryset.count()


@dataclass(frozen=True)
class Task:
    """One thing a person should do next, shown on the dashboard as a link to where it is done.

    ``due`` (a datetime or a date, or ``None`` for no deadline) orders the list: the most urgent
    first, tasks without a deadline last. ``centre`` is the caption (the centre's name) or "".
    """

    title: str
    url: str
    due: object = None
    detail: str = ""
    centre: str = ""


class TaskRegistry:
    """Every app's dashboard tasks: ``@dashboard_tasks.register(key)`` on a function
    ``(request) -> list[Task]``; a key registered twice raises."""

    def __init__(self):
        self._sources: dict[str, Callable[[HttpRequest], list[Task]]] = {}

    def register(self, key: str):
        def decorator(func):
            if key in self._sources:
                raise ImproperlyConfigured(
                    f"A task source with the key {key!r} is already registered."
                )
            self._sources[key] = func
            return func

        return decorator

    def collect(self, request) -> list[Task]:
        tasks = [task for source in self._sources.values() for task in source(request)]
        return sorted(tasks, key=_urgency)


def deadline_of(due) -> datetime | None:
    """A task's ``due`` as an aware datetime: a date means the end of that day."""
    if due is None:
        return None
    if isinstance(due, date) and not isinstance(due, datetime):
        return timezone.make_aware(datetime.combine(due, time.max))
    return due


def _urgency(task: Task):
    due = deadline_of(task.due)
    return (1, 0.0) if due is None else (0, due.timestamp())


SOON = timedelta(days=3)


def due_text(due) -> str:
    """The deadline in words: "18 June 2021" for a date or a deadline at midnight (the end of
    the day before, UK time), else "18 June 2021, 14:05"."""
    from .templatetags.dates import when

    if isinstance(due, datetime):
        local = timezone.localtime(due)
        if local.time() == time(0, 0):
            return f"the end of {when((local - timedelta(days=1)).date())}"
    return when(due)


def time_left(task: Task, now: datetime) -> dict:
    """What the dashboard shows next to a task's deadline: ``{"due_text", "left": "5 days" |
    "", "state": "overdue" | "soon" | ""}``."""
    due = deadline_of(task.due)
    if due is None:
        return {"due_text": "", "left": "", "state": ""}
    text = due_text(task.due)
    if due <= now:
        return {"due_text": text, "left": "", "state": "overdue"}
    left = timeuntil(due, now, depth=1)
    return {"due_text": text, "left": left, "state": "soon" if due - now < SOON else ""}


dashboard_tasks = TaskRegistry()
