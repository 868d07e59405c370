"""Django admin over the national tables (entries, candidates, grades, audit events): search by
what identifies a row, each term looked up through an index, and no count of a whole table."""

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.utils.functional import cached_property

# A search term that matches more related rows than this (a common surname) narrows to these.
MAX_RELATED_IDS = 5_000


class EstimatedCountPaginator(Paginator):
    """The admin's paginator for a national table: unfiltered, its count is PostgreSQL's own
    estimate of the table's rows (kept by ANALYZE and autovacuum) instead of a COUNT(*) that
    reads the whole table; filtered, or on another database, it counts."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > 0:
                return row[0]
        return super().count


class IndexedSearchMixin:
    """``search_lookups``: ``(field, lookup)`` or ``(field, lookup, normalise)``. With
    ``field`` None the lookup is on the model's own column (``"uci"``,
    ``"last_name__istartswith"``); otherwise ``field`` is a foreign key and the lookup is made
    on the related model (``("centre", "number")``), whose ids then filter the rows.
    ``normalise`` turns the term into the stored form (``str.upper`` for a UCI), so that an
    exact lookup meets a plain index. Each lookup uses an index and they are OR-ed together;
    Django's own search would join the related tables and OR the columns, which no index can
    answer."""

    search_lookups: list[tuple] = []
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # What the lookups search, for the changelist's search box and anything that reads
        # search_fields; get_search_results does the searching.
        cls.search_fields = [
            lookup if field is None else f"{field}__{lookup}"
            for field, lookup, *_normalise in cls.search_lookups
        ]

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.strip()
        if not search_term:
            return queryset, False
        match = Q()
        for field, lookup, *normalise in self.search_lookups:
            term = normalise[0](search_term) if normalise else search_term
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
