"""Session limits: an idle timeout and an absolute lifetime.

The idle timeout is Django's own: the cookie and the stored session last
``SESSION_IDLE_MINUTES`` and every request renews them (``SESSION_SAVE_EVERY_REQUEST``).
The absolute lifetime is this middleware: a session signed in more than
``SESSION_ABSOLUTE_HOURS`` ago is signed out, however busy it has been.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in, dispatch_uid="ocradmin.sessions.stamp")
def stamp_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            # Sessions from before this middleware have no stamp: their lifetime starts now.
            started = request.session.setdefault(SIGNED_IN_AT, now)
            if now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
        return self.get_response(request)
