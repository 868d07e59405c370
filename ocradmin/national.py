"""The national dataset that ``seed_national`` builds, and what every app's part of it shares.

Each app may have a ``national.py`` with ``seed(plan)``; the command calls them in lifecycle
(INSTALLED_APPS) order after the demo data, so a later app reads the rows an earlier one made
(the candidates and entries are in the database when the grades part runs). Rows are plain
dicts of field attnames, written in batches of ``plan.batch_size``, a chunk of centres to a
transaction (``plan.transaction()``), so memory stays flat whatever the size. On PostgreSQL a
batch takes its ids from the table's sequence (a block at a time) and goes in by ``COPY``, in
a thread while the next batch is built: building hundreds of thousands of model instances and
compiling their INSERTs cost most of the build's time. The whole build is one transaction
(``plan.build()``), in which a large build drops the big tables' plain indexes and foreign
keys while their part loads them and builds and checks them once at its end
(``plan.bulk_load()``). Elsewhere (SQLite, in the tests) the dicts become instances for
``bulk_create``.

The platform's own part (this module's ``seed``) adds the examiner-moderators.
"""

import io
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import methodcaller

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent, User

# The demo centre that the page benchmark signs in to is made this large.
DEMO_CENTRE = "12345"
DEMO_CENTRE_CANDIDATES = 3_000
DEMO_GRID_CANDIDATES = 300

# National centres are numbered from here; the demo centres are 12345 and 23456.
FIRST_NUMBER = 30_000

# Candidates per centre: most between 50 and 300, a few small or large ones (mean about 130).
SIZES = [(0.06, 15, 49), (0.62, 50, 110), (0.27, 111, 300), (0.05, 301, 600)]


@dataclass
class Plan:
    centres: int
    batch_size: int = 5_000
    demo_centre_candidates: int = DEMO_CENTRE_CANDIDATES
    log: Callable[[str], None] = print
    rng: random.Random = field(default_factory=lambda: random.Random(2021))
    # Filled in as the apps run: centre id → (number, candidates wanted); centre id → the
    # qualification ids it is approved for; rows added per table.
    centre_sizes: dict = field(default_factory=dict)
    approved: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    # On PostgreSQL: ids taken from each table's sequence and not yet used; the COPY running
    # in the background (only inside ``transaction()``).
    spare_ids: dict = field(default_factory=dict, repr=False)
    copies: "BackgroundCopies | None" = field(default=None, repr=False)

    def candidates_for(self) -> int:
        share, low, high = self.rng.random(), 0, 0
        for weight, low, high in SIZES:  # noqa: B007 (the last band is the default)
            if share < weight:
                break
            share -= weight
        return self.rng.randint(low, high)

    def chunks(self, size: int = 100) -> Iterator[list[int]]:
        """The national centres' ids, a few at a time (each chunk is one transaction)."""
        ids = sorted(self.centre_sizes)
        for start in range(0, len(ids), size):
            yield ids[start : start + size]

    @contextmanager
    def build(self):
        """The whole build, on PostgreSQL one transaction: a failure leaves the database as it
        was, indexes and all (see ``bulk_load``). Foreign keys are checked as each batch
        goes in, not all at the commit (the queue of checks would hold millions of rows)."""
        if connection.vendor != "postgresql":
            yield
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL synchronous_commit TO off")
            cursor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
            yield

    @contextmanager
    def bulk_load(self, *models):
        """The models' plain indexes and foreign keys dropped while the block adds rows, then
        built and checked again from their definitions at its end: keeping eight or more
        indexes up to date and checking each row's references one by one costs several times
        as much as building each index once and checking each key in one join. The unique
        indexes and primary keys stay, checking rows as they come. Only inside ``build()``'s
        transaction, whose rollback brings everything back if anything fails; nothing may read
        these tables in the block (it would read them whole). A build of fewer than
        ``BULK_LOAD_CENTRES`` keeps them: rebuilding the indexes of tables already large would
        cost more than keeping them up to date for a few thousand rows."""
        if connection.vendor != "postgresql" or self.centres < BULK_LOAD_CENTRES:
            yield
            return
        if not connection.in_atomic_block:
            raise RuntimeError("bulk_load() drops indexes: only inside a transaction")
        tables = [model._meta.db_table for model in models]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = ANY(%s) "
                "AND indexdef NOT LIKE 'CREATE UNIQUE %%' ORDER BY tablename, indexname",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            for table, name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for _table, name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        yield
        started = time.monotonic()
        with connection.cursor() as cursor:
            for _table, _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            # The later parts' queries are planned on the tables' new size, not the old.
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")
        self.log(
            f"  {', '.join(tables)}: {len(indexes)} indexes built, {len(foreign_keys)} foreign "
            f"keys checked, analysed ({time.monotonic() - started:.0f} s)"
        )

    @contextmanager
    def transaction(self):
        """One chunk's transaction (a savepoint inside ``build()``). On PostgreSQL each
        batch's COPY runs in a thread while the next batch is built; every other query of the
        transaction, and its end, waits for it (so a part reads what it has just added). The
        commit need not wait for the disk: a crash loses only made-up rows, and the build is
        rerun."""
        if connection.vendor != "postgresql":
            with transaction.atomic():
                yield
            return
        with (
            transaction.atomic(),
            BackgroundCopies() as copies,
            connection.execute_wrapper(copies.after_copy),
        ):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")
            self.copies = copies
            try:
                yield
            finally:
                self.copies = None
                copies.wait()

    def take_ids(self, model, n: int) -> list[int]:
        """``n`` new ids for ``model``'s rows, from its sequence a block at a time (the ids of a
        block left unused are a gap, as a rolled-back insert leaves)."""
        spare = self.spare_ids.setdefault(model, [])
        if len(spare) < n:
            meta = model._meta
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT nextval(pg_get_serial_sequence('{meta.db_table}', "
                    f"'{meta.pk.column}')) FROM generate_series(1, %s)",
                    [max(n - len(spare), ID_BLOCK)],
                )
                spare += [pk for (pk,) in cursor.fetchall()]
        ids, spare[:n] = spare[:n], []
        return ids

    def add(self, model, rows: Iterable[dict]) -> list[dict]:
        """Write ``rows`` (dicts of ``model``'s field attnames; a field left out takes its
        default, an ``auto_now``/``auto_now_add`` field the time of writing, as ``bulk_create``
        does) in batches; returns the dicts with their ``"id"`` set."""
        saved = []
        rows = iter(rows)
        write = self.writer(model)
        while batch := list(islice(rows, self.batch_size)):
            write(batch)
            saved += batch
        name = model._meta.label
        self.counts[name] = self.counts.get(name, 0) + len(saved)
        return saved

    def writer(self, model) -> Callable[[list[dict]], None]:
        """What writes a batch of ``model``'s rows and sets their ids: COPY on PostgreSQL
        (in the background inside ``transaction()``), ``bulk_create`` elsewhere."""
        if connection.vendor == "postgresql":
            return copy_writer(model, self.take_ids, self.copies.send if self.copies else copy)

        def write(rows: list[dict]) -> None:
            saved = model.objects.bulk_create([model(**row) for row in rows])
            for row, instance in zip(rows, saved, strict=True):
                row["id"] = instance.pk

        return write

    def audit(self, events: Iterable[dict]) -> None:
        self.add(AuditEvent, events)

    def progress(self, what: str, done: int, total: int) -> None:
        if done == total or done % 500 == 0:
            self.log(
                f"  {what}: {done:,} of {total:,} centres ({time.monotonic() - self.started:.0f} s)"
            )


ID_BLOCK = 20_000
BULK_LOAD_CENTRES = 500


def copy(sql: str, data: bytes) -> None:
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, io.BytesIO(data), size=len(data))


class BackgroundCopies:
    """COPYs run one at a time in a thread on the transaction's connection (psycopg2 lets
    threads share a connection, one command at a time), so PostgreSQL writes one batch while
    Python builds the next."""

    def __enter__(self):
        self.thread = ThreadPoolExecutor(max_workers=1)
        self.running = None
        return self

    def __exit__(self, *exc):
        self.thread.shutdown()

    def send(self, sql: str, data: bytes) -> None:
        self.wait()
        self.running = self.thread.submit(self.copy, connection.connection, sql, data)

    @staticmethod
    def copy(raw_connection, sql: str, data: bytes) -> None:
        # One read of the whole batch: the thread takes the GIL once, not per 8 KB.
        with raw_connection.cursor() as cursor:
            cursor.copy_expert(sql, io.BytesIO(data), size=len(data))

    def wait(self) -> None:
        """Until the COPY sent last is in; raises its error, if it failed."""
        if self.running is not None:
            running, self.running = self.running, None
            running.result()

    def after_copy(self, execute, sql, params, many, context):
        """Django's execute wrapper: a query waits for the COPY before it."""
        self.wait()
        return execute(sql, params, many, context)


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"
MISSING = object()


def copy_text(value) -> str:
    return str(value).translate(COPY_ESCAPES)


def copy_converter(model_field) -> Callable:
    """The function that turns the field's Python value (not None) into its COPY text."""
    if model_field.is_relation:
        return copy_converter(model_field.target_field)
    kind = model_field.get_internal_type()
    if kind == "BooleanField":
        return {True: "t", False: "f"}.__getitem__
    if kind in ("DateTimeField", "DateField", "TimeField"):
        return methodcaller("isoformat")
    if kind == "JSONField":
        encoder = model_field.encoder
        return lambda value: copy_text(json.dumps(value, cls=encoder))
    if kind.endswith(("AutoField", "IntegerField")):
        return "%d".__mod__
    return copy_text


def copy_writer(model, take_ids, send) -> Callable[[list[dict]], None]:
    """``model``'s COPY writer, its columns and their converters worked out once; ids from
    ``take_ids(model, n)``, the COPY run by ``send(sql, data)``."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    converters = [copy_converter(f) for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [meta.pk, *fields])
    sql = f"COPY {table} ({columns}) FROM STDIN"

    def column_texts(rows: list[dict], now) -> Iterator[Iterable[str]]:
        """Each column's texts, a column at a time (one comprehension per column costs far
        less than a loop over every value). A field a row leaves out takes its default; an
        ``auto_now``/``auto_now_add`` field is the time now whatever the row says, as
        ``bulk_create`` sets it."""
        for f, convert in zip(fields, converters, strict=True):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                yield repeat(convert(now), len(rows))
                continue
            values = [row.get(f.attname, MISSING) for row in rows]
            if MISSING in values:
                default = f.get_default()
                if values.count(MISSING) == len(values):
                    yield repeat(COPY_NULL if default is None else convert(default), len(rows))
                    continue
                values = [default if v is MISSING else v for v in values]
            yield [COPY_NULL if v is None else convert(v) for v in values]

    def write(rows: list[dict]) -> None:
        ids = take_ids(model, len(rows))
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
        lines = map("\t".join, zip(map(str, ids), *column_texts(rows, timezone.now()), strict=True))
        send(sql, ("\n".join(lines) + "\n").encode())

    return write


# One hash for every national user: they cannot sign in (an unusable password), and no
# password is hashed 5,000 times.
UNUSABLE_PASSWORD = make_password(None)


def national_user(email: str, full_name: str, **flags) -> dict:
    return {"email": email, "full_name": full_name, "password": UNUSABLE_PASSWORD, **flags}


def refusal() -> str | None:
    """Why the database must not be seeded, or None. The rule: every user's email address
    must be in the reserved ``.example`` domain (an empty database, the demo data or an earlier
    national build); a live database always has real people in it."""
    real = User.objects.exclude(email__iendswith=".example").count()
    if real:
        return (
            f"This database has {real:,} users with real email addresses, so it is not a demo "
            "or test database. seed_national adds thousands of made-up centres; add --force to "
            "write to this database anyway."
        )
    return None


def analyze() -> None:
    """Statistics for the planner and, on PostgreSQL outside a transaction, a VACUUM as
    autovacuum would soon make: until then the tables have no visibility map, so an index-only
    count reads the table too (the staff entries queue's count of entries with staff: 112 ms
    before, 4 ms after, at 5,000 centres)."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")


MODERATORS = 250


def seed(plan: Plan) -> None:
    """Examiner-moderators for the national centres' allocations (the entries part)."""
    start = User.objects.filter(email__startswith="moderator-", email__endswith="@national.example")
    first = start.count()
    plan.add(
        User,
        (
            national_user(
                f"moderator-{n:04d}@national.example",
                f"Moderator {n:04d}",
                is_examiner_moderator=True,
            )
            for n in range(first + 1, MODERATORS + 1)
        ),
    )
