"""Centre tabs, dashboard panels and staff board sections of the grades app."""

from centres.navigation import register_section

register_section(
    key="grades", label="Grades", url_name="grades:index", permission="grades.view_grades"
)
