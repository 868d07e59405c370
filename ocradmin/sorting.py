"""Sortable list columns, one way for every list: ``?sort=<key>`` (ascending) or ``?sort=-<key>``
(descending), the key checked against the columns the view declares (anything else falls back
to the default order), the other query parameters (filters) kept, the page dropped.

A list view mixes in ``SortMixin`` and declares its columns::

    sort_columns = {
        "number": ("Number", ["candidate_number"]),
        "name": ("Name", ["last_name", "first_name"]),
    }
    default_sort = "number"

and its template writes each header with
``{% include "sort_header.html" with column=sorting.number %}``.
"""

from dataclasses import dataclass

SORT_PARAM = "sort"


@dataclass(frozen=True)
class SortHeader:
    """One column's header: its label, the link that sorts by it (or reverses it), and the
    ``aria-sort`` value it has now."""

    key: str
    label: str
    url: str
    active: bool
    descending: bool

    @property
    def aria_sort(self) -> str:
        if not self.active:
            return "none"
        return "descending" if self.descending else "ascending"


class Sorting:
    def __init__(self, params, columns: dict, default: str, default_description: str = ""):
        if default.lstrip("-") not in columns:
            raise ValueError(f"The default sort {default!r} is not one of the columns.")
        self.columns = columns
        self.params = params
        asked = params.get(SORT_PARAM, "") or ""
        key = asked.lstrip("-")
        if key not in columns or asked.count("-") > 1:
            asked = default
        self.key = asked.lstrip("-")
        self.descending = asked.startswith("-")
        self.is_default = asked == default
        self.default_description = default_description

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def order_by(self) -> list[str]:
        fields = self.columns[self.key][1]
        return [f"-{f}" if self.descending else f for f in fields]

    def apply(self, queryset):
        """The queryset in the chosen order, ties broken by primary key (so pages are stable)."""
        tie = "-pk" if self.descending else "pk"
        return queryset.order_by(*self.order_by(), tie)

    def _url(self, value: str) -> str:
        params = self.params.copy()
        params.pop("page", None)
        params[SORT_PARAM] = value
        return "?" + params.urlencode()

    def header(self, key: str) -> SortHeader:
        active = key == self.key
        # A click on the sorted column reverses it; on another column sorts it ascending.
        value = (key if self.descending else f"-{key}") if active else key
        return SortHeader(
            key=key,
            label=self.columns[key][0],
            url=self._url(value),
            active=active,
            descending=self.descending if active else False,
        )

    def __getitem__(self, key: str) -> SortHeader:
        """``sorting.name`` in a template: the header of that column."""
        if key not in self.columns:
            raise KeyError(key)
        return self.header(key)

    def describe(self) -> str:
        """How the rows are ordered, in words, for the table's caption."""
        if self.is_default and self.default_description:
            return self.default_description
        label = self.columns[self.key][0].lower()
        return f"by {label}{' (descending)' if self.descending else ''}"


class SortMixin:
    """For a ``ListView``: ``self.sort(queryset)`` orders it by ``?sort=`` and puts
    ``sorting`` in the context."""

    sort_columns: dict = {}
    default_sort: str = ""
    default_sort_description: str = ""
    """The default order in words for the caption (e.g. "newest first")."""

    def get_sorting(self) -> Sorting:
        if not hasattr(self, "_sorting"):
            self._sorting = Sorting(
                self.request.GET,
                self.sort_columns,
                self.default_sort,
                self.default_sort_description,
            )
        return self._sorting

    def sort(self, queryset):
        return self.get_sorting().apply(queryset)

    def export_query(self) -> str:
        """The current filters and order as a query string, without the page: the export
        links carry it so a download holds the rows the list shows."""
        params = self.request.GET.copy()
        params.pop("page", None)
        return params.urlencode()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sorting"] = self.get_sorting()
        context["export_query"] = self.export_query()
        return context
