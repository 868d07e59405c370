"""Django admin over the tables that grow with the number of centres (entries, candidates, grades,
audit events, users, memberships): a page of rows that renders in a few milliseconds, search by
what identifies a row, each term looked up through an index, and no count of a whole table or
of a whole match."""

from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property

# A search term that matches more related rows than this (a common surname) narrows to these.
MAX_RELATED_IDS = 5_000
# A filtered list counts its rows up to this many (forty pages); a bigger match reads "more than
# 1000".
MAX_COUNT = 1_000


class BoundedCountPaginator(Paginator):
    """Unfiltered, the count is PostgreSQL's own estimate of the table's rows (kept by ANALYZE
    and autovacuum; ``is_estimate``) instead of a COUNT(*) that reads the whole table.
    Filtered or searched, it counts at most ``MAX_COUNT`` + 1 rows: a bigger match counts as
    ``MAX_COUNT`` (``is_capped``), so its pages run to ``MAX_COUNT`` rows."""

    is_estimate = False
    is_capped = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where and (estimate := self._estimate()):
            self.is_estimate = True
            return estimate
        # In the list's order, so that the count reads the rows through the index the pages
        # read them by: unordered, PostgreSQL may read the table from its start, hoping to meet
        # the rows early, and a match whose rows are the newest is then read to the end.
        counted = queryset[: MAX_COUNT + 1].count()
        if counted > MAX_COUNT:
            self.is_capped = True
            return MAX_COUNT
        return counted

    def _estimate(self) -> int:
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [self.object_list.model._meta.db_table],
            )
            row = cursor.fetchone()
        return max(row[0], 0) if row else 0


class NationalChangeList(ChangeList):
    """The rows read only the model admin's ``list_columns``. Each row's link is made once for
    the page: Django reverses the change page's address for every row and, when the list is
    searched or filtered, resolves it again to add the search to it (so that saving returns to
    the list as it was), which is about a fifth of a searched page's time."""

    PK = "__pk__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        address = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[self.PK],
            current_app=self.model_admin.admin_site.name,
        )
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        self.row_address = add_preserved_filters(context, address)
        # Already in row_address: what Django's rows would add to each link again.
        self.preserved_filters = ""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        columns = self.model_admin.list_columns
        if prefetch := self.model_admin.list_prefetch_related:
            queryset = queryset.prefetch_related(*prefetch)
        return queryset.only(*columns) if columns else queryset

    def url_for_result(self, result):
        return self.row_address.replace(self.PK, quote(str(getattr(result, self.pk_attname))), 1)


class NationalAdminMixin:
    """The changelist of a national table.

    Twenty-five rows a page, a screenful: staff find a row by searching for its key (and "Show
    all" lists a match of up to 200 rows), and each row takes Django admin about a third of a
    millisecond to read and render, so that Django's hundred were three quarters of the page's
    time and fifty nearly half. No bulk actions (Django's only one is "delete selected"): a
    national row is deleted, if ever, from its own page, one at a time, and the page loses its
    checkbox column. A class sets ``sortable_by`` to the columns an index orders, so that no
    column header sorts the whole table. The column ``centre_number`` is the row's centre by
    the number staff know it by (with ``centre`` in ``list_select_related``).

    ``list_columns``: the fields (``QuerySet.only``, ``centre__number`` through a related row)
    the columns show. Reading whole rows, their related rows' JSON and text included, took as
    long as rendering them.

    ``list_prefetch_related``: related rows the list reads by the page's ids (``Prefetch``
    objects may narrow their columns) instead of joining them (``list_select_related``). A
    search whose match spans thousands of rows is joined row by row before PostgreSQL sorts
    it for the page; by ids, only the page's rows meet their related rows.

    ``search_lookups``: ``(field, lookup)`` or ``(field, lookup, normalise)``. With ``field``
    None the lookup is on the model's own column (``"uci"``, ``"last_name__istartswith"``);
    otherwise ``field`` is a foreign key and the lookup is made on the related model
    (``("centre", "number")``), whose ids then filter the rows. ``normalise`` turns the term
    into the stored form (``str.upper`` for a UCI, ``identifiers.parse_id`` for an id), so
    that an exact lookup meets a plain index; a term it returns None for skips that lookup.
    Each lookup uses an index and they are OR-ed together; Django's own search would join the
    related tables and OR the columns, which no index can answer."""

    search_lookups: list[tuple] = []
    list_columns: list[str] = []
    list_prefetch_related: list = []
    show_full_result_count = False
    paginator = BoundedCountPaginator
    list_per_page = 25
    actions = None

    def get_changelist(self, request, **kwargs):
        return NationalChangeList

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # What the lookups search, for the changelist's search box and anything that reads
        # search_fields; get_search_results does the searching.
        cls.search_fields = [
            lookup if field is None else f"{field}__{lookup}"
            for field, lookup, *_normalise in cls.search_lookups
        ]

    @admin.display(description="Centre")
    def centre_number(self, row):
        return row.centre.number if row.centre_id else None

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.strip()
        if not search_term:
            return queryset, False
        match = Q()
        for field, lookup, *normalise in self.search_lookups:
            term = normalise[0](search_term) if normalise else search_term
            if term is None:
                continue
            if field is None:
                match |= Q(**{lookup: term})
                continue
            related = self.model._meta.get_field(field).related_model
            ids = list(
                related._default_manager.filter(**{lookup: term})
                .order_by("pk")
                .values_list("pk", flat=True)[:MAX_RELATED_IDS]
            )
            if ids:
                match |= Q(**{f"{field}__in": ids})
        return (queryset.filter(match) if match else queryset.none()), False
