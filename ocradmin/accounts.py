"""Password reset requests, throttled per address and per client (``ocradmin.throttles``)."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from .forms import PasswordResetForm
from .throttles import allow_email


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form; past the throttle nothing is sent, and the page is the same."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if not allow_email(
            "password_reset", email=form.cleaned_data["email"], request=self.request
        ):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
