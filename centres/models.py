"""Who may offer what: centre applications, centres, roles, the qualification catalogue,
qualification approvals and examiner-moderators' specialisms."""

import re

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from ocradmin.validators import validate_single_line

centre_number_validator = RegexValidator(r"^[0-9]{5}$", "A centre number is five digits.")

UK_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """``sw1a1aa`` → ``SW1A 1AA``; raises ValueError when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    match = UK_POSTCODE_RE.match(compact)
    if not match:
        raise ValueError(f"{value!r} is not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


class OrganisationType(models.TextChoices):
    SECONDARY = "secondary", "Secondary school (state-funded)"
    INDEPENDENT = "independent", "Independent school"
    SIXTH_FORM = "sixth_form", "Sixth-form college"
    FE_COLLEGE = "fe_college", "Further education college"
    TRAINING = "training", "Training provider"
    OTHER = "other", "Other"


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
    SCOTLAND = "scotland", "Scotland"


class Organisation(models.Model):
    """The organisation fields a centre and its application share."""

    name = models.CharField("organisation name", max_length=200, validators=[validate_single_line])
    organisation_type = models.CharField(max_length=20, choices=OrganisationType)
    address_line1 = models.CharField(
        "address line 1", max_length=200, validators=[validate_single_line]
    )
    address_line2 = models.CharField(
        "address line 2", max_length=200, blank=True, validators=[validate_single_line]
    )
    town = models.CharField("town or city", max_length=100, validators=[validate_single_line])
    postcode = models.CharField(max_length=8, validators=[validate_single_line])
    nation = models.CharField(max_length=20, choices=Nation)
    phone = models.CharField(max_length=20, validators=[validate_single_line])

    class Meta:
        abstract = True


# Each status is declared at module level so the model's Meta can build its CheckConstraint
# from the choices (a class nested in the model is out of the Meta's reach); the model names
# it ``Status`` as well.


class CentreStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    SUSPENDED = "suspended", "Suspended"


class Centre(models.Model):
    Status = CentreStatus

    number = models.CharField(max_length=5, unique=True, validators=[centre_number_validator])
    name = models.CharField(max_length=200, validators=[validate_single_line])
    status = models.CharField(max_length=20, choices=Status, default=Status.APPROVED)
    organisation_type = models.CharField(
        max_length=20, choices=OrganisationType, default=OrganisationType.SECONDARY
    )
    address_line1 = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    address_line2 = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    town = models.CharField(max_length=100, blank=True, validators=[validate_single_line])
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_single_line])
    nation = models.CharField(max_length=20, choices=Nation, default=Nation.ENGLAND)
    phone = models.CharField(max_length=20, blank=True, validators=[validate_single_line])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CentreStatus.values),
                name="centre_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Role(models.TextChoices):
    CENTRE_ADMIN = "centre_admin", "Centre admin"
    TEACHER = "teacher", "Teacher"
    HEAD_OF_CENTRE = "head_of_centre", "Head of centre"
    AAM_USER = "aam_user", "Assessment materials user"


class Membership(models.Model):
    """A role a person holds at a centre; a person may hold several, at several centres."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["centre__number", "user__full_name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "centre", "role"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.centre.number}"


class HeadOfCentre(models.Model):
    """The head of centre's details (one per centre).

    The person named holds the head-of-centre role only once they accept it by the link emailed
    to ``email`` (``token``): then ``user`` is their account and ``accepted_at`` is set. Naming
    someone else starts again (``nominated_at``), so nobody becomes head by typing an address.
    """

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="head")
    name = models.CharField(max_length=150, validators=[validate_single_line])
    job_title = models.CharField(max_length=150, validators=[validate_single_line])
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headships",
    )
    updated_at = models.DateTimeField(auto_now=True)
    nominated_at = models.DateTimeField(null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "head of centre"
        verbose_name_plural = "heads of centre"
        indexes = [
            # The staff board's heads named recently, newest first.
            models.Index(fields=["-nominated_at", "-id"], name="head_nominated_idx"),
        ]

    def __str__(self):
        return f"{self.name}, {self.job_title} ({self.centre.number})"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    CANCELLED = "cancelled", "Cancelled"


class Invitation(models.Model):
    """An emailed invitation to join a centre with one or more roles."""

    Status = InvitationStatus

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150, validators=[validate_single_line])
    roles = models.JSONField(help_text="Role values from centres.Role.")
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "centre",
                models.functions.Lower("email"),
                condition=models.Q(status=InvitationStatus.PENDING),
                name="invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values),
                name="invitation_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.centre.number}"

    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles]


# --- The qualification catalogue ------------------------------------------------------------


class QualificationType(models.TextChoices):
    CAMBRIDGE_TECHNICAL = "cambridge_technical", "Cambridge Technical"
    CAMBRIDGE_NATIONAL = "cambridge_national", "Cambridge National"
    OTHER_VOCATIONAL = "other_vocational", "Other vocational"
    GCSE = "gcse", "GCSE"
    A_LEVEL = "a_level", "A level"
    AS_LEVEL = "as_level", "AS"


VOCATIONAL_TYPES = [
    QualificationType.CAMBRIDGE_TECHNICAL,
    QualificationType.CAMBRIDGE_NATIONAL,
    QualificationType.OTHER_VOCATIONAL,
]


class Qualification(models.Model):
    """An entry in the entry codes booklet.

    Grading is data: ``grade_scale`` lists the overall grades best first; ``unit_points`` maps a
    unit's guided learning hours to the points each unit grade earns (``{"60": {"D": 16, ...}}``);
    ``grade_bands`` lists ``[grade, minimum points]`` best first.
    """

    entry_code = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=200, validators=[validate_single_line])
    qualification_type = models.CharField(max_length=30, choices=QualificationType)
    level = models.CharField(max_length=40, validators=[validate_single_line])
    size = models.CharField(max_length=60, blank=True, validators=[validate_single_line])
    guided_learning_hours = models.PositiveIntegerField(default=0)
    units_required = models.PositiveIntegerField(default=0)
    grade_scale = models.JSONField(default=list)
    unit_points = models.JSONField(default=dict, blank=True)
    grade_bands = models.JSONField(default=list, blank=True)
    option_codes = models.JSONField(default=list, blank=True)
    is_remotely_moderated = models.BooleanField(
        default=False, help_text="Vocational qualifications claimed and moderated through ocradmin."
    )
    available_for_tags = models.BooleanField(
        "in the 2021 grades", default=False, help_text="Teacher-assessed grades in summer 2021."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["qualification_type", "title", "entry_code"]
        indexes = [models.Index(fields=["title"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(qualification_type__in=[t.value for t in QualificationType]),
                name="qualification_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.entry_code} {self.title}"


class Unit(models.Model):
    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="units")
    number = models.CharField(max_length=10)
    title = models.CharField(max_length=200, validators=[validate_single_line])
    guided_learning_hours = models.PositiveIntegerField()
    is_mandatory = models.BooleanField(default=False)
    grade_scale = models.JSONField(default=list)

    class Meta:
        ordering = ["qualification", "is_mandatory", "number"]
        constraints = [
            models.UniqueConstraint(fields=["qualification", "number"], name="unit_number_unique"),
        ]

    def __str__(self):
        return f"Unit {self.number}: {self.title}"


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


LIVE_APPROVAL_STATUSES = [ApprovalStatus.REQUESTED, ApprovalStatus.APPROVED]


class QualificationApproval(models.Model):
    """A centre's approval to offer a qualification. Only approved ones can be entered."""

    Status = ApprovalStatus
    LIVE = LIVE_APPROVAL_STATUSES

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="approvals")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="approvals"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.REQUESTED)
    delivered_by = models.CharField(
        max_length=200,
        help_text="Who will teach and assess it (names or department).",
        validators=[validate_single_line],
    )
    planned_start = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "qualification"],
                condition=models.Q(status__in=LIVE_APPROVAL_STATUSES),
                name="approval_one_live_per_qualification",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ApprovalStatus.values),
                name="approval_status_valid",
            ),
        ]
        indexes = [
            # The staff's queue (and board), oldest first: the few waiting among every approval.
            models.Index(
                fields=["requested_at", "id"],
                condition=models.Q(status=ApprovalStatus.REQUESTED),
                name="approval_waiting_idx",
            ),
        ]

    def __str__(self):
        code, number = self.qualification.entry_code, self.centre.number
        return f"{code} at {number}: {self.get_status_display()}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted — awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected — you can amend and resubmit"


class CentreApplication(Organisation):
    """The vocational centre approval form: a draft until submitted, then locked for review."""

    Status = ApplicationStatus

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="centre_applications"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    organisation_key = models.CharField(
        max_length=250, editable=False, help_text="Name and postcode, normalised, to spot repeats."
    )
    head_name = models.CharField(
        "head of centre's name", max_length=150, validators=[validate_single_line]
    )
    head_job_title = models.CharField(
        "head of centre's job title", max_length=150, validators=[validate_single_line]
    )
    head_email = models.EmailField("head of centre's email")
    officer_name = models.CharField(
        "exams officer's name", max_length=150, validators=[validate_single_line]
    )
    officer_email = models.EmailField("exams officer's email")
    officer_phone = models.CharField(
        "exams officer's phone", max_length=20, validators=[validate_single_line]
    )
    intended_qualifications = models.ManyToManyField(
        Qualification,
        blank=True,
        related_name="+",
        verbose_name="qualifications you intend to offer",
    )
    declare_accurate = models.BooleanField(
        "The information in this application is accurate and complete.", default=False
    )
    declare_regulations = models.BooleanField(
        "The centre will follow the awarding body's and JCQ's regulations for centres.",
        default=False,
    )
    declare_head_agrees = models.BooleanField(
        "The head of centre has agreed to this application.", default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    centre = models.OneToOneField(
        Centre, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_key"],
                condition=models.Q(status=ApplicationStatus.SUBMITTED),
                name="application_one_pending_per_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ApplicationStatus.values),
                name="application_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"

    @staticmethod
    def key_for(name: str, postcode: str) -> str:
        words = re.sub(r"[^a-z0-9]+", " ", (name or "").lower()).split()
        return " ".join(words) + "|" + re.sub(r"\s+", "", (postcode or "").upper())

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


# --- Examiner-moderators --------------------------------------------------------------------


class ModeratorProfile(models.Model):
    """What an examiner-moderator may moderate and how many centre allocations they can take."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_profile"
    )
    qualifications = models.ManyToManyField(
        Qualification, blank=True, related_name="moderators", verbose_name="may moderate"
    )
    capacity = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="How many centre-qualification allocations they can hold at once.",
    )
    is_available = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self):
        return str(self.user)
