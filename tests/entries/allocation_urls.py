"""A test-only URLconf: the site, plus two small pages behind ``AllocationMixin`` as a
moderator's pages will use it (``tests/entries/test_tenancy.py``)."""

from django.http import HttpResponse
from django.urls import include, path
from django.views import View

from entries.models import AccessArrangement, Entry
from entries.tenancy import AllocationMixin


class AllocatedEntryView(AllocationMixin, View):
    """A page of one entry, as a moderator's page would show a claim."""

    allocation_queryset = Entry.objects.all()

    def get(self, request, pk):
        return HttpResponse(str(self.get_allocated_object().pk))


class AllocatedArrangementView(AllocationMixin, View):
    """Reaching the centre through another row, as a claim line reaches it through its claim."""

    allocation_queryset = AccessArrangement.objects.all()
    allocation_centre = "candidate__centre"

    def get(self, request, pk):
        return HttpResponse(str(self.get_allocated_object().pk))


class ForgottenView(AllocationMixin, View):
    def get(self, request, pk):
        return HttpResponse(str(self.get_allocated_object().pk))


urlpatterns = [
    path("test-moderation/entries/<int:pk>/", AllocatedEntryView.as_view()),
    path("test-moderation/arrangements/<int:pk>/", AllocatedArrangementView.as_view()),
    path("test-moderation/forgotten/<int:pk>/", ForgottenView.as_view()),
    path("", include("ocradmin.urls")),
]
