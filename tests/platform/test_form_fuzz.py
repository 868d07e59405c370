"""Every form in the URLconf under hostile input: huge numbers, other scripts' digits, control
characters, very long strings, empty values, several values for one field.

The form views are discovered from the URLconf (every view that answers POST, Django admin
aside); each is opened as a person allowed to use it, on the demo data, and its fields are read
from the page that holds the form. Hypothesis then posts random values, a bounded number of
examples per form, each inside a savepoint rolled back afterwards (and each form's own setup in
another). Every answer must be a page
or a redirect, never a server error (the test client re-raises the view's exception), and an
answer that is not a redirect must have saved nothing: no row added or removed in any table, no
audit event.

Each form gets the hostile values of ``EVERY_FIELD`` in all its fields at once, then
``FORM_FUZZ_EXAMPLES`` random mixes (default 6), in which a file field gets random bytes or
hostile CSV.
"""

import os
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centres.models import (
    Centre,
    CentreApplication,
    Invitation,
    ModeratorProfile,
    Qualification,
    QualificationApproval,
)
from claims.models import Claim, ClaimUpload, Dispatch
from entries.models import (
    AccessArrangement,
    Candidate,
    CandidateCorrection,
    Entry,
    EntryUpload,
    ModeratorAllocation,
)
from entries.services.corrections import request_correction
from grades.models import GradeUpload, QualificationGrades, TeacherAssignment
from grades.selectors import current_series, entered_tag_qualifications
from ocradmin.models import Notification
from ocradmin.registration import activation_token

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "6"))

# Rows these tables gain on any request (sign-in attempts, sessions) are not "saved" data.
NOT_DATA = {"axes", "sessions", "admin", "contenttypes"}

OFFICER = "officer@northfield.example"
TEACHER = "teacher@northfield.example"
HEAD = "head@northfield.example"
RIVERSIDE_OFFICER = "officer@riverside.example"
APPLICANT = "applicant@hillside.example"
STAFF = "staff@ocradmin.example"
N = "12345"


# --- Discovering the form views ---------------------------------------------------------------


def form_view_names(patterns=None, namespace=""):
    """The URL names of every view that answers POST (Django admin aside)."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= form_view_names(pattern.url_patterns, inner)
            continue
        view = getattr(pattern.callback, "view_class", None)
        if view is not None and hasattr(view, "post") and "post" in view.http_method_names:
            names.add(f"{namespace}{pattern.name}")
    return names


# --- Where each form is, and who may use it ---------------------------------------------------


def tag_qualification(status):
    return (
        QualificationGrades.objects.filter(centre__number="12345", status=status)
        .select_related("qualification")
        .first()
        .qualification.entry_code
    )


def password_reset_url():
    user = get_user_model().objects.get(email=OFFICER)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


def register_confirm_url():
    user = get_user_model().objects.create_user(
        email="newcomer@elsewhere.example", password="a-long-password-1", is_active=False
    )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("register-confirm", args=[uid, activation_token.make_token(user)])


def correction_pk():
    candidate = Candidate.objects.filter(centre__number="23456").first()
    officer = get_user_model().objects.get(email=RIVERSIDE_OFFICER)
    correction = CandidateCorrection.objects.filter(status="pending").first()
    if correction is None:
        correction = request_correction(
            candidate=candidate, by=officer, reason="Misspelt", first_name="Correctedname"
        )
    return correction.pk


def upload_pk():
    officer = get_user_model().objects.get(email=OFFICER)
    upload = EntryUpload.objects.create(
        centre=officer.memberships.first().centre,
        uploaded_by=officer,
        original_name="entries.csv",
        status=EntryUpload.Status.READY,
        preview=[{}],  # one row to write, so the page offers Confirm
    )
    return upload.pk


def an_unread_notification():
    """The officer has something to mark read, so the button shows."""
    officer = get_user_model().objects.get(email=OFFICER)
    Notification.objects.create(user=officer, subject="Hello")


def every_qualification_approved():
    """Northfield ready to submit, so the declaration form is open."""
    centre = Centre.objects.get(number=N)
    series = current_series()
    for qualification in entered_tag_qualifications(centre):
        QualificationGrades.objects.update_or_create(
            series=series,
            centre=centre,
            qualification=qualification,
            defaults={"status": QualificationGrades.Status.APPROVED},
        )


def draft_application_pk():
    """A second application of the demo applicant, still a draft, so its form is open."""
    applicant = get_user_model().objects.get(email=APPLICANT)
    return CentreApplication.objects.create(applicant=applicant, name="Hillside Annexe").pk


def claim_pk(status, *, newest=False):
    """A demo claim at Northfield in ``status``."""
    claim = Claim.objects.filter(centre__number=N, status=status).order_by(
        "-pk" if newest else "pk"
    )[0]
    return claim.pk


def work_posted(claim_pk):
    """The claim's work recorded as posted, so its moderator can confirm receipt."""

    def prepare():
        claim = Claim.objects.get(pk=claim_pk)
        Dispatch.objects.create(
            claim=claim,
            posted_on=claim.submitted_at.date(),
            carrier="Royal Mail",
            tracking_reference="AB123",
            recorded_by=claim.built_by,
        )
        Claim.objects.filter(pk=claim_pk).update(
            status=Claim.Status.WORK_SENT, work_sent_at=claim.submitted_at
        )

    return prepare


def every_line_decided(claim):
    """The moderator has decided every line, so the report form is offered."""

    def prepare():
        from moderation.services.review import confirm_remaining

        confirm_remaining(claim=claim, by=claim.moderator)

    return prepare


def two_factor_on():
    """The officer has two-factor sign-in on, so the account page offers its forms."""
    officer = get_user_model().objects.get(email=OFFICER)
    TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)


def claim_upload_pk(claim):
    officer = get_user_model().objects.get(email=OFFICER)
    return ClaimUpload.objects.create(
        centre=officer.memberships.first().centre,
        claim_id=claim,
        uploaded_by=officer,
        original_name="lines.csv",
        status=ClaimUpload.Status.READY,
        preview=[{}],
    ).pk


def grade_upload_pk(entry_code):
    teacher = get_user_model().objects.get(email=TEACHER)
    return GradeUpload.objects.create(
        centre=Centre.objects.get(number=N),
        series=current_series(),
        qualification=Qualification.objects.get(entry_code=entry_code),
        uploaded_by=teacher,
        original_name="grades.csv",
        status=GradeUpload.Status.READY,
        preview=[{}],
    ).pk


def first_pk(queryset):
    obj = queryset.order_by("pk").first()
    assert obj is not None, f"the demo data has no {queryset.model.__name__} for this form"
    return obj.pk


def setups():
    """``{url name: (signed-in email or None, target url, url of the page with the form[,
    what to prepare first])}``; the page is the target itself unless given."""
    teacher_id = get_user_model().objects.get(email=TEACHER).pk
    # The newest waiting entry: one that can be withdrawn or amended.
    entry = (
        Entry.objects.filter(centre__number=N, status=Entry.Status.SUBMITTED)
        .order_by("-submitted_at", "-id")
        .first()
        .pk
    )
    candidate = first_pk(Candidate.objects.filter(centre__number=N))
    in_progress = tag_qualification(QualificationGrades.Status.IN_PROGRESS)
    sent = tag_qualification(QualificationGrades.Status.SENT)
    grade_candidate = first_pk(
        Candidate.objects.filter(
            centre__number=N,
            entries__qualification__entry_code=in_progress,
            entries__status=Entry.Status.ACCEPTED,
        )
    )
    application = first_pk(
        CentreApplication.objects.filter(applicant__email=APPLICANT, status="submitted")
    )
    pending_approval = first_pk(QualificationApproval.objects.filter(status="requested"))
    upload = upload_pk()
    draft = claim_pk(Claim.Status.DRAFT)
    draft_claim = Claim.objects.get(pk=draft)
    draft_line = draft_claim.lines.order_by("pk").first()
    claim_upload = claim_upload_pk(draft)
    grade_upload = grade_upload_pk(in_progress)
    work_due = claim_pk(Claim.Status.SUBMITTED, newest=True)
    posted = Claim.objects.get(pk=claim_pk(Claim.Status.SUBMITTED))
    # Moderation: a claim waiting for its review, and one part-moderated (demo data).
    ready = Claim.objects.get(centre__number=N, status="with_moderator", review__isnull=True)
    ready_line = ready.lines.order_by("pk").first().pk
    part = Claim.objects.get(centre__number=N, status="with_moderator", review__isnull=False)

    def at(name, *args):
        return reverse(name, args=args)

    return {
        "login": (None, at("login"), None),
        "register": (None, at("register"), None),
        "register-confirm": (None, register_confirm_url(), None),
        "logout": (OFFICER, at("logout"), at("dashboard")),
        "password_change": (OFFICER, at("password_change"), None),
        "password_reset": (None, at("password_reset"), None),
        "password_reset_confirm": (None, password_reset_url(), None),
        "notifications-read": (
            OFFICER,
            at("notifications-read"),
            at("notifications"),
            an_unread_notification,
        ),
        # The demo has already told the officer things (entry processing, allocations, …).
        "notification-open": (
            OFFICER,
            at(
                "notification-open",
                Notification.objects.filter(user__email=OFFICER).order_by("pk").first().pk,
            ),
            at("notifications"),
        ),
        "centres:users-invite": (OFFICER, at("centres:users-invite", N), None),
        "centres:users-head": (OFFICER, at("centres:users-head", N), None),
        "centres:users-remove": (
            OFFICER,
            at("centres:users-remove", N, teacher_id),
            at("centres:users", N),
        ),
        "centres:users-revoke-role": (
            OFFICER,
            at("centres:users-revoke-role", N, teacher_id, "teacher"),
            at("centres:users", N),
        ),
        "centres:invitation-cancel": (
            OFFICER,
            at("centres:invitation-cancel", N, first_pk(Invitation.objects.all())),
            at("centres:users", N),
        ),
        "centres:invitation": (
            None,
            at("centres:invitation", Invitation.objects.order_by("pk").first().token),
            None,
        ),
        "centres:approval-request": (OFFICER, at("centres:approval-request", N), None),
        "centres:approval-withdraw": (
            OFFICER,
            at(
                "centres:approval-withdraw",
                N,
                first_pk(
                    QualificationApproval.objects.filter(centre__number=N, status="requested")
                ),
            ),
            None,
        ),
        "centres:apply-new": (APPLICANT, at("centres:apply-new"), None),
        "centres:apply-detail": (
            APPLICANT,
            at("centres:apply-detail", draft_application_pk()),
            None,
        ),
        "centres:staff-approval-approve": (
            STAFF,
            at("centres:staff-approval-approve", pending_approval),
            at("centres:staff-approvals"),
        ),
        "centres:staff-approval-reject": (
            STAFF,
            at("centres:staff-approval-reject", pending_approval),
            at("centres:staff-approvals"),
        ),
        "centres:staff-moderator-add": (STAFF, at("centres:staff-moderator-add"), None),
        "centres:staff-moderator-edit": (
            STAFF,
            at("centres:staff-moderator-edit", first_pk(ModeratorProfile.objects.all())),
            None,
        ),
        "centres:staff-application-approve": (
            STAFF,
            at("centres:staff-application-approve", application),
            at("centres:staff-application", application),
        ),
        "centres:staff-application-reject": (
            STAFF,
            at("centres:staff-application-reject", application),
            at("centres:staff-application", application),
        ),
        "entries:candidate-add": (OFFICER, at("entries:candidate-add", N), None),
        "entries:candidate-edit": (OFFICER, at("entries:candidate-edit", N, candidate), None),
        "entries:candidate-correction": (
            OFFICER,
            at("entries:candidate-correction", N, candidate),
            None,
        ),
        "entries:arrangement-apply": (OFFICER, at("entries:arrangement-apply", N), None),
        "entries:new-named": (OFFICER, at("entries:new-named", N), None),
        "entries:new-unnamed": (OFFICER, at("entries:new-unnamed", N), None),
        "entries:amend": (OFFICER, at("entries:amend", N, entry), None),
        "entries:withdraw": (OFFICER, at("entries:withdraw", N, entry), None),
        "entries:upload": (OFFICER, at("entries:upload", N), None),
        "entries:upload-confirm": (
            OFFICER,
            at("entries:upload-confirm", N, upload),
            at("entries:upload-status", N, upload),
        ),
        "entries:staff-arrangement-decide": (
            STAFF,
            at(
                "entries:staff-arrangement-decide",
                first_pk(AccessArrangement.objects.filter(status="referred")),
            ),
            at("entries:staff-arrangements"),
        ),
        "entries:staff-correction-decide": (
            STAFF,
            at("entries:staff-correction-decide", correction_pk()),
            at("entries:staff-corrections"),
        ),
        "entries:staff-review-decide": (
            STAFF,
            at(
                "entries:staff-review-decide",
                first_pk(Entry.objects.filter(status=Entry.Status.NEEDS_REVIEW)),
            ),
            at("entries:staff-review"),
        ),
        "grades:assignments": (OFFICER, at("grades:assignments", N), None),
        "grades:staff-remind": (
            STAFF,
            at("grades:staff-remind", N),
            at("grades:staff-progress"),
        ),
        "grades:staff-export": (STAFF, at("grades:staff-export"), None),
        "grades:assignment-remove": (
            OFFICER,
            at(
                "grades:assignment-remove",
                N,
                first_pk(TeacherAssignment.objects.filter(centre__number=N)),
            ),
            at("grades:assignments", N),
        ),
        "grades:qualification": (TEACHER, at("grades:qualification", N, in_progress), None),
        "grades:save": (
            TEACHER,
            at("grades:save", N, in_progress, grade_candidate),
            at("grades:qualification", N, in_progress),
        ),
        "grades:upload": (TEACHER, at("grades:upload", N, in_progress), None),
        "grades:send": (
            TEACHER,
            at("grades:send", N, in_progress),
            at("grades:qualification", N, in_progress),
        ),
        "grades:approve": (HEAD, at("grades:approve", N, sent), at("grades:review", N)),
        "grades:return": (HEAD, at("grades:return", N, sent), at("grades:review", N)),
        "grades:declaration": (
            HEAD,
            at("grades:declaration", N),
            None,
            every_qualification_approved,
        ),
        "grades:staff-materials": (STAFF, at("grades:staff-materials"), None),
        "grades:upload-confirm": (
            TEACHER,
            at("grades:upload-confirm", N, in_progress, grade_upload),
            at("grades:upload-status", N, in_progress, grade_upload),
        ),
        "account": (OFFICER, at("account"), None, two_factor_on),
        "two-factor-setup": (OFFICER, at("two-factor-setup"), None),
        "claims:start": (OFFICER, at("claims:start", N), None),
        "claims:save-line": (
            OFFICER,
            at("claims:save-line", N, draft),
            at("claims:build-unit", N, draft, draft_line.unit_id),
        ),
        "claims:full-award": (
            OFFICER,
            at("claims:full-award", N, draft),
            at("claims:build-candidate", N, draft, draft_line.candidate_id),
        ),
        "claims:upload": (OFFICER, at("claims:upload", N, draft), None),
        "claims:upload-confirm": (
            OFFICER,
            at("claims:upload-confirm", N, draft, claim_upload),
            at("claims:upload-status", N, draft, claim_upload),
        ),
        "claims:submit": (OFFICER, at("claims:submit", N, draft), None),
        "claims:work-upload": (
            OFFICER,
            at("claims:work-upload", N, work_due),
            at("claims:work", N, work_due),
        ),
        "claims:work-post": (
            OFFICER,
            at("claims:work-post", N, work_due),
            at("claims:work", N, work_due),
        ),
        "moderation:receipt": (
            posted.moderator.email,
            at("moderation:receipt", posted.pk),
            at("moderation:claim", posted.pk),
            work_posted(posted.pk),
        ),
        "moderation:decide": (
            ready.moderator.email,
            at("moderation:decide", ready.pk, ready_line),
            at("moderation:claim", ready.pk),
        ),
        "moderation:confirm-remaining": (
            ready.moderator.email,
            at("moderation:confirm-remaining", ready.pk),
            at("moderation:claim", ready.pk),
        ),
        "moderation:withdraw": (ready.moderator.email, at("moderation:withdraw", ready.pk), None),
        "moderation:complete": (
            part.moderator.email,
            at("moderation:complete", part.pk),
            None,
            every_line_decided(part),
        ),
        "moderation:staff-reallocate-claim": (
            STAFF,
            at("moderation:staff-reallocate-claim", ready.pk),
            None,
        ),
        "moderation:staff-reallocate-allocation": (
            STAFF,
            at(
                "moderation:staff-reallocate-allocation",
                first_pk(ModeratorAllocation.objects.filter(centre__number=N)),
            ),
            None,
        ),
    }


# --- Reading a form's fields from its page ----------------------------------------------------


class FormFields(HTMLParser):
    """The fields (name → the value the page would send) of the page's forms that post to
    ``target``, and of htmx controls that post there."""

    def __init__(self, target, page):
        super().__init__()
        self.target, self.page = target, page
        self.fields: dict[str, list[str]] = {}
        self.in_form = False
        self.textarea = None
        self.found = False

    def posts_here(self, attrs) -> bool:
        action = attrs.get("hx-post") or attrs.get("action")
        if action is None:
            return attrs.get("method", "").lower() == "post" and self.page == self.target
        return urlsplit(action).path == self.target or (not action and self.page == self.target)

    def add(self, name, value=""):
        if name and name != "csrfmiddlewaretoken":
            self.fields.setdefault(name, [])
            if value:
                self.fields[name].append(value)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_form = attrs.get("method", "get").lower() == "post" and self.posts_here(attrs)
            self.found |= self.in_form
            return
        if "hx-post" in attrs and self.posts_here(attrs):
            self.found = True
            self.add(attrs.get("name"))
            for name in attrs.get("hx-params", "").split(","):
                self.add(name.strip())
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            self.add(name, attrs.get("value", "on") if "checked" in attrs else "")
            self.fields.setdefault(f"{name}\0choices", []).append(attrs.get("value", "on"))
        elif tag == "input" and attrs.get("type") == "file":
            self.add(name)
            self.fields[f"{name}\0file"] = ["file"]
        elif tag in ("input", "button"):
            self.add(name, attrs.get("value", ""))
        elif tag == "select":
            self.select = name
            self.add(name)
        elif tag == "option" and getattr(self, "select", None):
            self.fields.setdefault(f"{self.select}\0choices", []).append(attrs.get("value", ""))
            if "selected" in attrs:
                self.fields[self.select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.add(name)

    def handle_data(self, data):
        if self.textarea:
            self.add(self.textarea, data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def read_fields(client, target, page):
    """The URL to post to, and ``{field: (the page's values, its choices, is a file)}`` for
    the form posting to ``target``."""
    response = client.get(page, follow=True)
    assert response.status_code == 200, f"{page} answered {response.status_code}"
    # A link that redirects once (a password-reset link) is used where it lands.
    final = response.request["PATH_INFO"]
    target = final if page == target else target
    parser = FormFields(target, final)
    parser.feed(response.content.decode())
    assert parser.found, f"no form on {page} posts to {target}"
    fields = {
        name: (values, parser.fields.get(f"{name}\0choices", []), f"{name}\0file" in parser.fields)
        for name, values in parser.fields.items()
        if "\0" not in name
    }
    return target, fields


# --- Hostile values ---------------------------------------------------------------------------

# First, every field at once takes each of these; then Hypothesis mixes them field by field.
EVERY_FIELD = [
    "1" * 23,
    str(2**63),
    "²",
    "١٢٣٤",
    "１２３５",
    "\x00\x01\n\r\x1b",
    "x" * 20_000,
    "",
]

UNICODE_DIGITS = st.characters(categories=["Nd", "No"])
CONTROL = st.characters(categories=["Cc", "Cf", "Zl", "Zp"])

hostile_text = st.one_of(
    st.just(""),
    st.sampled_from(
        ["1" * 23, str(2**63), str(2**31), "-1", "0", "1e400", "NaN", "٣", "²", "１２３５"]
    ),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(UNICODE_DIGITS, min_size=1, max_size=20),
    st.text(CONTROL, min_size=1, max_size=10),
    st.text(max_size=40),
    st.builds(lambda text, n: (text or "x") * n, st.text(max_size=5), st.integers(1000, 20_000)),
    st.sampled_from(["2021-02-30", "31/12/9999", "0000-00-00", "\x00", "<script>x</script>"]),
)


hostile_file = st.builds(
    SimpleUploadedFile,
    st.sampled_from(["entries.csv", "grades.xlsx", "x", "../../etc/passwd.csv", "ü\n.csv"]),
    st.one_of(
        st.binary(max_size=2000),
        st.lists(hostile_text.filter(lambda t: len(t) < 1000), max_size=30).map(
            lambda cells: ",".join(cells).encode("utf-8", "surrogatepass")
        ),
    ),
)


@st.composite
def post_data(draw, fields):
    """Each field keeps the page's value, takes one of its choices, or a hostile value; now and
    then a field comes twice or is left out."""
    data = {}
    for name, (values, choices, is_file) in fields.items():
        how = draw(st.sampled_from(["keep", "choice", "hostile", "hostile", "many", "omit"]))
        if is_file and how != "omit":
            data[name] = draw(hostile_file)
        elif how == "keep":
            data[name] = values or [""]
        elif how == "choice" and choices:
            data[name] = [draw(st.sampled_from(choices))]
        elif how == "many":
            data[name] = draw(st.lists(hostile_text, min_size=2, max_size=3))
        elif how != "omit":
            data[name] = [draw(hostile_text)]
    return data


# --- The test ---------------------------------------------------------------------------------


def table_sizes() -> tuple[int, ...]:
    """The number of rows in every table of the project's data, in one query."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label not in NOT_DATA and model._meta.managed
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        return tuple(cursor.fetchone())


def fuzz(client, name, email, target, page, prepare=None):
    if prepare is not None:
        prepare()
    user = get_user_model().objects.get(email=email) if email else None

    def sign_in():
        client.logout()
        if user is not None:
            client.force_login(user)

    sign_in()
    target, fields = read_fields(client, target, page or target)

    def check(data):
        with transaction.atomic():
            sign_in()
            before = table_sizes()
            response = client.post(target, data)
            assert response.status_code < 500, (name, data)
            if response.status_code not in (301, 302, 303):
                assert table_sizes() == before, (name, data, response.status_code)
            transaction.set_rollback(True)

    for value in EVERY_FIELD:
        check({field: [value] for field in fields})

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=post_data(fields))
    def post(data):
        check(data)

    post()


# Form views this test cannot reach with a plain signed-in GET, and why.
NOT_FUZZED = {
    "admin-login": "a redirect to the sign-in page, which is fuzzed as `login`",
    "two-factor-verify": "needs a half-finished sign-in (tests/platform/test_two_factor.py "
    "signs in through it with right and wrong codes)",
    "centres:head-accept": "needs a pending nomination's emailed token (the head-of-centre "
    "tests follow the link)",
}


def test_hostile_posts_never_break_a_form(db, client):
    """One test over every form: the demo data is loaded once."""
    call_command("seed_demo", stdout=StringIO())
    forms = setups()
    assert set(forms) | set(NOT_FUZZED) == form_view_names(), "give each new form view a setup"
    for name, setup in sorted(forms.items()):
        with transaction.atomic():
            fuzz(client, name, *setup)
            transaction.set_rollback(True)
