"""The moderation app's addresses: ``/moderation/…`` (the moderator), ``/staff/moderation/…``
(staff) and the centre's reports at ``/centres/<number>/claims/reports/``. Each path is written
out in full, so the app is included at the root."""

from django.urls import path  # noqa: F401

app_name = "moderation"

urlpatterns: list = []
