from ocradmin.pages import dashboard

from .navigation import register_section
from .selectors import centres_for

register_section(
    key="home", label="Centre home", url_name="centres:home", permission="centres.view_centre"
)
register_section(
    key="audit",
    label="Audit trail",
    url_name="centres:audit",
    permission="centres.view_audit_trail",
)


@dashboard.register("my_centres", "centres/panels/my_centres.html")
def my_centres(request):
    centres = list(centres_for(request.user))
    return {"centres": centres} if centres else None
