"""The admin site: Django's, without the sidebar's app list on every page."""

from django.contrib.admin import AdminSite


class OcradminAdminSite(AdminSite):
    site_header = "ocradmin administration"
    site_title = "ocradmin admin"
    # The sidebar repeats the index's list of every model on every admin page: a fifth of a
    # page's size and of the time to make it. The breadcrumbs lead back to the index.
    enable_nav_sidebar = False

    def each_context(self, request):
        """Django's context for every admin page, less `available_apps` when the sidebar is off.

        Only the sidebar shows `available_apps`, yet building it reverses a URL for every model
        on every page (~3 ms); the index and app pages build their own list. The keys are
        otherwise Django's own (tests/platform/test_admin_site.py compares them).
        """
        if self.enable_nav_sidebar:
            return super().each_context(request)
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if self.site_url == "/" and script_name else self.site_url
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": site_url,
            "has_permission": self.has_permission(request),
            "is_popup": False,
            "is_nav_sidebar_enabled": False,
            "log_entries": self.get_log_entries(request),
        }
