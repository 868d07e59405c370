"""Figures a staff page shows that read a national table (every waiting entry, every centre's
grades): worked out at most once per ``seconds`` and kept in the shared cache with the time
they were worked out, which the page shows ("figures as at 14:05"). Every process reads the
same copy (Redis in production, the file cache otherwise), so a busy board costs one working
out per interval, not one per view."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.utils import timezone


@dataclass(frozen=True)
class Kept:
    value: Any
    as_at: datetime


def kept(key: str, work_out: Callable[[], Any], *, seconds: int) -> Kept:
    """The figures under ``key``, worked out by ``work_out()`` when the cache has none younger
    than ``seconds``."""
    figures = cache.get(key)
    if figures is None:
        figures = Kept(value=work_out(), as_at=timezone.now())
        cache.set(key, figures, seconds)
    return figures
