"""Figures a staff page shows that read a national table (every waiting entry, every centre's
grades), kept in the shared cache with the time they were worked out, which the page shows
("figures as at 14:05"). Every process reads the same copy (Redis in production, the file
cache otherwise).

Two ways to keep them fresh: a page's read works them out when the kept copy is older than
``seconds`` (``kept``: one view in an interval pays, as for the staff board's clocks), or a beat
task works them out every ``seconds`` (``keep``) so that no page does while beat runs — for
figures that read whole tables; the pages' ``kept`` then works them out only before beat's first
run or after it stopped. A change staff make and expect to see at once ``forget``s them."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Kept:
    value: Any
    as_at: datetime


def kept(key: str, work_out: Callable[[], Any], *, seconds: int) -> Kept:
    """The figures under ``key``; worked out by ``work_out()`` when none are kept."""
    figures = cache.get(key)
    if figures is None:
        figures = Kept(value=work_out(), as_at=timezone.now())
        cache.set(key, figures, seconds)
    return figures


def keep(key: str, work_out: Callable[[], Any], *, seconds: int) -> Kept:
    """Work the figures out now and keep them; called every ``seconds`` by beat, so they are
    kept for two intervals: a page never finds them gone between two runs."""
    figures = Kept(value=work_out(), as_at=timezone.now())
    cache.set(key, figures, 2 * seconds)
    return figures


def forget(key: str) -> None:
    """Once the current transaction commits, drop the kept figures so the next page works them
    out again (after a change staff expect to see at once)."""
    transaction.on_commit(lambda: cache.delete(key))
