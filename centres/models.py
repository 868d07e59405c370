"""Who may offer what: centres and the roles people hold at them."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

centre_number_validator = RegexValidator(r"^\d{5}$", "A centre number is five digits.")


class Centre(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        SUSPENDED = "suspended", "Suspended"

    number = models.CharField(max_length=5, unique=True, validators=[centre_number_validator])
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status, default=Status.APPROVED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["approved", "suspended"]),
                name="centre_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


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
