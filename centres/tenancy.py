"""Tenancy for every ``/centres/<number>/…`` page.

The centre comes from the URL. A signed-in user who is not a member gets 404 (staff may look
at any centre), so centre numbers leak nothing; a member whose roles do not allow the page
gets 403; an anonymous visitor is sent to sign in.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from .navigation import sections_for
from .selectors import centre_for_user_or_none


class CentreMixin(LoginRequiredMixin):
    """Resolves ``self.centre`` and checks ``centre_permission`` (a rules permission on it).

    There is no default: every view names the permission its page needs, and a view that
    names none fails on every request rather than opening to every member."""

    centre_permission: str | None = None
    centre_section = None

    def dispatch(self, request, *args, **kwargs):
        if not self.centre_permission:
            raise ImproperlyConfigured(f"{type(self).__name__} names no centre_permission.")
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.centre = centre_for_user_or_none(request.user, kwargs["number"])
        if self.centre is None:
            raise Http404("No such centre.")
        if not request.user.has_perm(self.centre_permission, self.centre):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def require(self, permission: str):
        """For an action inside a page that needs more than the page does."""
        if not self.request.user.has_perm(permission, self.centre):
            raise PermissionDenied

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["centre"] = self.centre
        context["centre_sections"] = sections_for(self.request.user, self.centre)
        context["centre_section"] = self.centre_section
        return context
