"""The client's address, as the sign-in lock-out and the email throttles see it.

Behind ``PROXY_COUNT`` trusted reverse proxies each proxy appends the address it was reached
from to ``X-Forwarded-For``, so the client is the ``PROXY_COUNT``-th address from the right;
anything further left was written by the client and is not trusted. With no proxy configured
the header is ignored and the address is the socket's.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Not through every proxy we expect: the socket's address is all we can trust.
        return remote
    return forwarded[-count]
