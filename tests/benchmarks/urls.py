"""The site's URLs plus the page benchmark's two floors, so that every page measured passes
through the same middleware: a trivial view, and the signed-in page shell (the base template
with its header, no app queries)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import path
from django.views.generic import TemplateView

from ocradmin.urls import urlpatterns as site_urlpatterns


def trivial(request):
    return HttpResponse("ok")


class Shell(LoginRequiredMixin, TemplateView):
    template_name = "base.html"


urlpatterns = [
    path("benchmark/trivial/", trivial),
    path("benchmark/shell/", Shell.as_view()),
    *site_urlpatterns,
]
