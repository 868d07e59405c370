"""Centre tabs, dashboard panels and staff board sections of the grades app."""
