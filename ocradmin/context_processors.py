from .notifications import unread_count


def shell(request):
    """What the page header needs on every page. The dashboard's panel of unread
    notifications has counted them already (``panels.recent_notifications``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counted = getattr(request, "unread_notifications", None)
    return {"unread_notifications": unread_count(user) if counted is None else counted}
