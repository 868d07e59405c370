"""The project's admin site: Django's, less the sidebar's app list on every page."""

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.test import RequestFactory

from ocradmin.sites import OcradminAdminSite


def test_admin_site_is_the_projects_own():
    admin.site.name  # noqa: B018 -- sets up the lazy default site
    assert isinstance(admin.site._wrapped, OcradminAdminSite)
    assert admin.site.site_header == "ocradmin administration"
    assert admin.site.site_title == "ocradmin admin"
    assert admin.site.enable_nav_sidebar is False


def test_each_context_is_djangos_less_the_app_list(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    ours = admin.site.each_context(request)
    plain = AdminSite.each_context(admin.site, request)
    assert set(ours) == set(plain) - {"available_apps"}
    for key in ours.keys() - {"log_entries"}:
        assert ours[key] == plain[key], key


def test_each_context_keeps_the_app_list_with_the_sidebar_on(admin_user):
    site = OcradminAdminSite(name="sidebar")
    site.enable_nav_sidebar = True
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert "available_apps" in site.each_context(request)


def test_the_index_still_lists_every_app_and_pages_have_no_sidebar(admin_client):
    index = admin_client.get("/admin/")
    assert index.status_code == 200
    assert "/admin/entries/candidate/" in index.content.decode()
    page = admin_client.get("/admin/entries/candidate/")
    assert page.status_code == 200
    assert 'id="nav-sidebar"' not in page.content.decode()
