"""What every app shares: the user, the audit trail, notifications, closure days, the heartbeat."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .validators import validate_single_line

# Made by migration 0004_staff_group: staff's Django admin permissions.
STAFF_GROUP = "Awarding-body staff"


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=self.normalize_email(username))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address.

    Examiner-moderator and awarding-body staff are roles of the user; roles at a centre are
    ``centres.Membership`` rows.
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, validators=[validate_single_line])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "awarding-body staff",
        default=False,
        help_text="Staff pages, the operations board and Django admin.",
    )
    is_examiner_moderator = models.BooleanField(
        "examiner-moderator",
        default=False,
        help_text="Reviews claims for the centres and qualifications allocated to them.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [
            # The examiner-moderators: a few hundred among every user (the load page, the
            # separation-of-duties check).
            models.Index(
                fields=["id"],
                condition=models.Q(is_examiner_moderator=True),
                name="user_moderator_idx",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AuditEvent(models.Model):
    """One row per state change or sensitive download, written in the changing transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the system acted (a scheduled job).",
    )
    centre = models.ForeignKey(
        "centres.Centre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    action = models.CharField(max_length=80)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The centre's audit trail and the admin's list, newest first.
            models.Index(fields=["centre", "-at", "-id"], name="audit_centre_list_idx"),
            models.Index(fields=["-at", "-id"], name="audit_newest_idx"),
            # The admin's search by action or by person, newest first: without them an action
            # or person of old events is found by reading every newer event.
            models.Index(fields=["action", "-at", "-id"], name="audit_action_list_idx"),
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_list_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class Notification(models.Model):
    """An in-app message; the same text is emailed by a task queued on commit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ClosureDay(models.Model):
    """A day the awarding body is closed besides England-and-Wales bank holidays."""

    day = models.DateField(unique=True)
    reason = models.CharField(max_length=120, validators=[validate_single_line])

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%d %b %Y}: {self.reason}"


class Heartbeat(models.Model):
    """When a periodic job last ran; the staff board shows it so anyone can see beat is alive."""

    name = models.CharField(max_length=60, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class SentNotice(models.Model):
    """A notice that goes once: the unique row is the claim, so a rerun, a retry or a second
    worker sends nothing. ``recipient`` is empty when the notice goes once to everyone
    concerned (e.g. the staff mailbox, or every head of a centre)."""

    key = models.CharField(max_length=100)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    recipient = models.CharField(max_length=254, blank=True)
    claim = models.UUIDField(help_text="The scan that sent it.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "target_type", "target_id", "recipient"], name="notice_sent_once"
            ),
        ]
        indexes = [models.Index(fields=["claim"])]

    def __str__(self):
        return f"{self.key} for {self.target_type.model} {self.target_id}"
