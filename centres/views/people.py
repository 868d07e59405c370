"""The centre's users: people and their roles, invitations, the head-of-centre record; and the
public page where an invitee accepts."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView

from ..forms.people import AcceptInvitationForm, HeadOfCentreForm, InviteForm, PeopleSearchForm
from ..models import HeadOfCentre, Invitation, Membership, Role
from ..services import CentreError
from ..services.people import (
    accept_head_of_centre,
    accept_invitation,
    cancel_invitation,
    create_account_for_head,
    create_account_from_invitation,
    head_has_account,
    head_link_problem,
    invitation_problem,
    invite_person,
    invitee_has_account,
    remove_person,
    revoke_role,
    update_head_of_centre,
)
from ..tenancy import CentreMixin

SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def people_at(centre, *, search: str = "", role: str = ""):
    """Users with a role at the centre, each with ``centre_memberships`` (their roles there)."""
    members = Membership.objects.filter(centre=centre)
    if role:
        members = members.filter(role=role)
    people = get_user_model().objects.filter(pk__in=members.values("user_id"))
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return people.order_by("full_name", "email", "pk").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(centre=centre).order_by("role"),
            to_attr="centre_memberships",
        )
    )


def pending_invitations_at(centre, *, search: str = ""):
    invitations = Invitation.objects.filter(centre=centre, status=Invitation.Status.PENDING)
    if search:
        invitations = invitations.filter(
            Q(full_name__icontains=search) | Q(email__icontains=search)
        )
    return invitations.select_related("invited_by").order_by("expires_at", "pk")


def _back_to_people(request, centre):
    """After a change the actor may have lost access (they removed themselves)."""
    user = get_user_model().objects.get(pk=request.user.pk)  # roles as they are now
    if user.has_perm("centres.view_users", centre):
        return redirect("centres:users", centre.number)
    if user.has_perm("centres.view_centre", centre):
        return redirect("centres:home", centre.number)
    return redirect("dashboard")


class PeopleView(CentreMixin, ListView):
    template_name = "centres/people/list.html"
    centre_permission = "centres.view_users"
    centre_section = "users"
    paginate_by = 25

    def get_queryset(self):
        self.search_form = PeopleSearchForm(self.request.GET or None)
        search = role = ""
        if self.search_form.is_valid():
            search = self.search_form.cleaned_data["q"].strip()
            role = self.search_form.cleaned_data["role"]
        self.search, self.role = search, role
        return people_at(self.centre, search=search, role=role)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role_order = {r: i for i, r in enumerate(Role.values)}
        for person in context["object_list"]:
            person.centre_memberships.sort(key=lambda m: role_order[m.role])
        context["search_form"] = self.search_form
        context["invitations"] = list(pending_invitations_at(self.centre, search=self.search))
        context["head"] = (
            HeadOfCentre.objects.filter(centre=self.centre).select_related("user").first()
        )
        context["now"] = timezone.now()
        context["can_manage"] = self.request.user.has_perm("centres.manage_users", self.centre)
        return context


class InviteView(CentreMixin, FormView):
    template_name = "centres/people/invite.html"
    centre_permission = "centres.manage_users"
    centre_section = "users"
    form_class = InviteForm

    def form_valid(self, form):
        try:
            outcome = invite_person(
                centre=self.centre,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                by=self.request.user,
            )
        except CentreError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        labels = ", ".join(Role(r).label for r in outcome.granted)
        messages.success(self.request, f"Invitation sent to {outcome.invitation.email} ({labels}).")
        return redirect("centres:users", self.centre.number)


class RevokeRoleView(CentreMixin, View):
    centre_permission = "centres.manage_users"

    def post(self, request, number, user_id, role):
        membership = get_object_or_404(
            Membership.objects.select_related("user"),
            centre=self.centre,
            user_id=user_id,
            role=role,
        )
        try:
            revoke_role(centre=self.centre, user=membership.user, role=role, by=request.user)
        except CentreError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{membership.user.email} is no longer {membership.get_role_display().lower()}.",
            )
        return _back_to_people(request, self.centre)


class RemovePersonView(CentreMixin, View):
    centre_permission = "centres.manage_users"

    def post(self, request, number, user_id):
        person = get_object_or_404(
            get_user_model().objects.filter(
                pk__in=Membership.objects.filter(centre=self.centre).values("user_id")
            ),
            pk=user_id,
        )
        try:
            remove_person(centre=self.centre, user=person, by=request.user)
        except CentreError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{person.email} has been removed from the centre.")
        return _back_to_people(request, self.centre)


class CancelInvitationView(CentreMixin, View):
    centre_permission = "centres.manage_users"

    def post(self, request, number, pk):
        invitation = get_object_or_404(Invitation, centre=self.centre, pk=pk)
        try:
            cancel_invitation(invitation=invitation, by=request.user)
        except CentreError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The invitation to {invitation.email} is cancelled.")
        return redirect("centres:users", self.centre.number)


class HeadOfCentreView(CentreMixin, FormView):
    template_name = "centres/people/head.html"
    centre_permission = "centres.manage_users"
    centre_section = "users"
    form_class = HeadOfCentreForm

    def dispatch(self, request, *args, **kwargs):
        self.head = None
        return super().dispatch(request, *args, **kwargs)

    def get_head(self):
        if self.head is None:
            self.head = (
                HeadOfCentre.objects.filter(centre=self.centre).select_related("user").first()
            )
        return self.head

    def get_initial(self):
        head = self.get_head()
        if head is None:
            return {}
        return {"name": head.name, "job_title": head.job_title, "email": head.email}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["head"] = self.get_head()
        return context

    def form_valid(self, form):
        try:
            update_head_of_centre(centre=self.centre, by=self.request.user, **form.cleaned_data)
        except CentreError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        head = self.get_head()
        if head is not None and not head.is_accepted and head.email == form.cleaned_data["email"]:
            messages.success(
                self.request,
                f"The head of centre details are saved. {head.email} has been sent a link to "
                "accept the role; they hold it once they accept.",
            )
        else:
            messages.success(self.request, "The head of centre details are saved.")
        return redirect("centres:users", self.centre.number)


class InvitationView(View):
    """The link in the invitation email. No sign-in needed: a new invitee sets a name and a
    password here; someone who already has an account signs in and accepts with one button."""

    template_name = "centres/people/invitation.html"

    def dispatch(self, request, token):
        self.invitation = (
            Invitation.objects.select_related("centre", "invited_by").filter(token=token).first()
        )
        if self.invitation is None:
            return self.unavailable(
                "This invitation link is not valid. Check that you copied the whole link from "
                "the email.",
                status=404,
            )
        problem = invitation_problem(self.invitation)
        if problem:
            if (
                self.invitation.status == Invitation.Status.ACCEPTED
                and request.user.is_authenticated
                and request.user.email.lower() == self.invitation.email.lower()
            ):
                messages.info(request, "You have already accepted this invitation.")
                return redirect("centres:home", self.invitation.centre.number)
            return self.unavailable(problem)
        self.has_account = invitee_has_account(self.invitation)
        return super().dispatch(request, token)

    def unavailable(self, problem: str, status: int = 200):
        return render(
            self.request,
            "centres/people/invitation_unavailable.html",
            {"problem": problem, "invitation": self.invitation},
            status=status,
        )

    def mode(self) -> str:
        user = self.request.user
        if user.is_authenticated:
            return "accept" if user.email.lower() == self.invitation.email.lower() else "wrong_user"
        return "sign_in" if self.has_account else "create"

    def render_page(self, form=None, status=200):
        mode = self.mode()
        if mode == "create" and form is None:
            form = AcceptInvitationForm(
                email=self.invitation.email, initial={"full_name": self.invitation.full_name}
            )
        login_url = f"{reverse('login')}?next={self.request.path}"
        return render(
            self.request,
            self.template_name,
            {"invitation": self.invitation, "mode": mode, "form": form, "login_url": login_url},
            status=status,
        )

    def get(self, request, token):
        return self.render_page()

    def post(self, request, token):
        mode = self.mode()
        try:
            if mode == "accept":
                accept_invitation(invitation=self.invitation, by=request.user)
                user = request.user
            elif mode == "create":
                form = AcceptInvitationForm(request.POST, email=self.invitation.email)
                if not form.is_valid():
                    return self.render_page(form=form)
                user = create_account_from_invitation(
                    invitation=self.invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend=SIGN_IN_BACKEND)
            else:
                return self.render_page()
        except CentreError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        centre = self.invitation.centre
        messages.success(
            request,
            f"Welcome, {user.get_short_name()}: you are now "
            f"{', '.join(self.invitation.role_labels()).lower()} at {centre.name}.",
        )
        return redirect("centres:home", centre.number)


class HeadOfCentreLinkView(View):
    """The link emailed to the person named head of centre: they accept the role, signed in
    as that address (or setting up their account here, as an invitee does)."""

    template_name = "centres/people/head_accept.html"

    def dispatch(self, request, token):
        self.head = (
            HeadOfCentre.objects.select_related("centre", "nominated_by")
            .filter(token=token)
            .first()
        )
        problem = (
            "This link is not valid: it was replaced by a newer one, or the head of centre "
            "details changed. Check that you copied the whole link from the newest email."
            if self.head is None
            else head_link_problem(self.head)
        )
        if problem:
            return render(
                request,
                "centres/people/head_unavailable.html",
                {"problem": problem},
                status=404 if self.head is None else 200,
            )
        return super().dispatch(request, token)

    def mode(self) -> str:
        user = self.request.user
        if user.is_authenticated:
            return "accept" if user.email.lower() == self.head.email.lower() else "wrong_user"
        return "sign_in" if head_has_account(self.head) else "create"

    def render_page(self, form=None):
        mode = self.mode()
        if mode == "create" and form is None:
            form = AcceptInvitationForm(
                email=self.head.email, initial={"full_name": self.head.name}
            )
        return render(
            self.request,
            self.template_name,
            {
                "head": self.head,
                "mode": mode,
                "form": form,
                "login_url": f"{reverse('login')}?next={self.request.path}",
            },
        )

    def get(self, request, token):
        return self.render_page()

    def post(self, request, token):
        mode = self.mode()
        try:
            if mode == "accept":
                accept_head_of_centre(head=self.head, by=request.user)
            elif mode == "create":
                form = AcceptInvitationForm(request.POST, email=self.head.email)
                if not form.is_valid():
                    return self.render_page(form=form)
                user = create_account_for_head(
                    head=self.head,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend=SIGN_IN_BACKEND)
            else:
                return self.render_page()
        except CentreError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        centre = self.head.centre
        messages.success(request, f"You are now head of centre of {centre.name}.")
        return redirect("centres:home", centre.number)
