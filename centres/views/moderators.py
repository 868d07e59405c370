"""Staff pages for examiner-moderators: the list with their load, adding one, editing one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, ListView

from ocradmin.views import StaffRequiredMixin

from ..filters import ModeratorFilter
from ..forms.moderators import AddModeratorForm, ModeratorProfileForm
from ..models import ModeratorProfile
from ..services import CentreError
from ..services.moderators import moderator_profiles, save_moderator_profile


class StaffModeratorListView(StaffRequiredMixin, ListView):
    template_name = "centres/moderators/list.html"
    context_object_name = "profiles"
    paginate_by = 25

    def get_queryset(self):
        self.filterset = ModeratorFilter(self.request.GET, queryset=moderator_profiles())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


class _SaveProfileMixin:
    def save(self, form, user):
        data = form.cleaned_data
        try:
            save_moderator_profile(
                user=user,
                qualifications=data["qualifications"],
                capacity=data["capacity"],
                is_available=data["is_available"],
                by=self.request.user,
            )
        except CentreError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {user.get_full_name()}'s moderator profile.")
        return redirect("centres:staff-moderators")


class StaffModeratorAddView(StaffRequiredMixin, _SaveProfileMixin, FormView):
    template_name = "centres/moderators/form.html"
    form_class = AddModeratorForm
    initial = {"capacity": 10, "is_available": True}

    def form_valid(self, form):
        return self.save(form, form.user)


class StaffModeratorEditView(StaffRequiredMixin, _SaveProfileMixin, FormView):
    template_name = "centres/moderators/form.html"
    form_class = ModeratorProfileForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff:
            self.profile = get_object_or_404(
                ModeratorProfile.objects.select_related("user"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {
            "qualifications": list(self.profile.qualifications.all()),
            "capacity": self.profile.capacity,
            "is_available": self.profile.is_available,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(profile=self.profile, **kwargs)

    def form_valid(self, form):
        return self.save(form, self.profile.user)
