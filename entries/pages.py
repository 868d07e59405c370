"""Sections later apps add to the entries pages (``ocradmin.pages.PanelRegistry``): on a
candidate's page, a panel's function takes ``(request, candidate)``; claims lists the
candidate's claim lines there."""

from ocradmin.pages import PanelRegistry

candidate_page = PanelRegistry()
