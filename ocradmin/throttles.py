"""Limits on the emails anyone can make the site send: password resets and registrations.

Each request for such an email counts once against the address it is for and once against the
client asking (``ocradmin.clients.client_ip``), in the cache, over a fixed window. Once either
count passes its limit the email is not sent, but the person sees the same "check your email"
page as always — the page never says whether an email went, so it reveals nothing either.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from .clients import client_ip


def _count(key: str, window: int) -> int:
    """One more request in the current window of ``window`` seconds (windows follow each other
    from the epoch; each has its own key). Its expiry is set again after ``incr``: the file
    cache's ``incr`` rewrites the entry with the default timeout, five minutes."""
    now = time.time()
    start = int(now // window) * window
    key = f"{key}:{start}"
    remaining = int(start + window - now) + 1
    cache.add(key, 0, timeout=remaining)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add and incr: this is the first of a new window.
        cache.add(key, 1, timeout=remaining)
        return 1
    cache.touch(key, timeout=remaining)
    return count


def allow_email(kind: str, *, email: str, request) -> bool:
    """Count a request for a ``kind`` email to ``email``; whether it may be sent."""
    window = settings.EMAIL_THROTTLE_WINDOW_SECONDS
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    client = hashlib.sha256(client_ip(request).encode()).hexdigest()
    per_address = _count(f"throttle:{kind}:address:{address}", window)
    per_client = _count(f"throttle:{kind}:client:{client}", window)
    return (
        per_address <= settings.EMAIL_THROTTLE_PER_ADDRESS
        and per_client <= settings.EMAIL_THROTTLE_PER_CLIENT
    )
