"""Sections later apps add to the centre's claim page (``ocradmin.pages.PanelRegistry``): a
panel's function takes ``(request, claim)``; moderation shows the moderator's outcome, the
withdrawn units and the feedback report there."""

from ocradmin.pages import PanelRegistry

claim_page = PanelRegistry()


def moderator_url(claim) -> str:
    """The claim's page for its examiner-moderator (served by the moderation app)."""
    from django.urls import reverse

    return reverse("moderation:claim", args=[claim.pk])
