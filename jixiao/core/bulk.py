"""Set-based writing: the machinery for the few writes that run to a hundred thousand rows (a
province's target import, the demo builder), on SQLite and PostgreSQL alike. Pure plumbing — no
domain knowledge: the callers (services, imports, demo builders) decide *what* rows to write and
write their own audit rows; this module only writes them fast.

* :func:`reserve_ids` — ``n`` fresh primary keys for a model, so the rows can be inserted with their
  ids and other rows can refer to them without reading anything back. Never an id a deleted row
  had (the audit trail names ids).
* :class:`Insert` / :func:`insert` — an ``INSERT`` into one model's table prepared once: the
  *varying* columns come from each row tuple (values already as the column stores them), every
  other concrete column is a *constant* prepared once through its field (``get_db_prep_save``:
  JSON, datetimes …) — from ``constants``, the field's default, or "now" for ``auto_now(_add)``
  fields — and appended to each row. Rows go in by chunks of :data:`CHUNK`: SQLite one
  ``executemany`` per chunk (the sqlite3 module loops in C, there is no round trip); PostgreSQL one
  ``COPY … FROM STDIN`` per chunk (psycopg 3's ``cursor.copy``: one round trip per chunk; measured
  about ten times faster than multi-row ``VALUES`` or Django's ``executemany``, which binds on the
  client — see docs/performance.md).

Use it only where a write really is set-based at scale; everything else writes through the ORM in a
service. No signals, no ``save()``, no model validation run here: the caller has validated the
rows. Call it inside the service's transaction (on SQLite :func:`reserve_ids` refuses otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.db import connection
from django.utils import timezone

#: Rows per statement (SQLite) or per COPY (PostgreSQL).
CHUNK = 5000


def chunks(seq: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    """``seq`` in slices of ``size``."""
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def reserve_ids(model, n: int) -> list[int]:
    """``n`` fresh primary keys for ``model``, ascending.

    PostgreSQL: ``nextval`` over the column's sequence, ``n`` values in one statement (sequences never
    go back, and concurrent writers get other values). SQLite: above both the table's maximum and its
    ``AUTOINCREMENT`` counter (``sqlite_sequence``), so an id a deleted row had is never given again;
    this must run inside a transaction — the project opens SQLite transactions with
    ``BEGIN IMMEDIATE``, so the transaction holds the write lock and no other writer can take the same
    ids before the rows are in (inserting them moves the counter)."""
    if n <= 0:
        return []
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), pk, n])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"reserve_ids: {connection.vendor} is not supported")
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids on SQLite must run inside a transaction (the write lock keeps the ids)")
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + n + 1))


class Insert:
    """An ``INSERT`` into ``model``'s table, prepared once and run for any number of rows.

    ``varying``: the columns each row tuple carries, by field name or attname (``"region"`` or
    ``"region_id"``), values already as the column stores them (a Decimal, a string, an id, ``None``;
    JSON through :meth:`prep`). Every other concrete column (the primary key too when ``with_id``)
    takes ``constants[name]`` (by name or attname), else ``now`` for ``auto_now``/``auto_now_add``
    fields, else the field's default — each prepared once through the field."""

    def __init__(self, model, varying: Sequence[str], constants: dict | None = None, *, with_id: bool = False,
                 now=None):
        self.model = model
        meta = model._meta
        constants = dict(constants or {})
        by_name = {}
        for f in meta.concrete_fields:
            by_name[f.name] = by_name[f.attname] = f
        unknown = [c for c in [*varying, *constants] if c not in by_name]
        if unknown:
            raise ValueError(f"{meta.label} has no column {unknown}")
        self.varying = [by_name[c] for c in varying]
        if len({f.attname for f in self.varying}) != len(self.varying):
            raise ValueError(f"{meta.label}: a varying column is named twice")
        taken = {f.attname for f in self.varying}
        given = {by_name[k].attname: v for k, v in constants.items()}
        if taken & set(given):
            raise ValueError(f"{meta.label}: {sorted(taken & set(given))} both varying and constant")
        now = now or timezone.now()
        self.fixed = []
        values = []
        for f in meta.concrete_fields:
            if f.attname in taken or (f.primary_key and not with_id and f.attname not in given):
                continue
            if f.attname in given:
                value = given[f.attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            self.fixed.append(f)
            values.append(f.get_db_prep_save(value, connection))
        if with_id and meta.pk not in self.varying and meta.pk not in self.fixed:
            raise ValueError(f"{meta.label}: with_id needs the primary key among the columns")
        self.constants = tuple(values)
        self.fields = [*self.varying, *self.fixed]
        qn = connection.ops.quote_name
        self.table = qn(meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in self.fields)
        self.sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"

    def prep(self, name: str, value):
        """``value`` as the column ``name`` stores it (for a varying JSON or datetime column)."""
        f = next(f for f in self.varying if name in (f.name, f.attname))
        return f.get_db_prep_save(value, connection)

    def run(self, rows: Iterable[tuple], *, chunk: int = CHUNK) -> int:
        """Insert ``rows`` (tuples in the order of ``varying``); returns how many."""
        rows = rows if isinstance(rows, (list, tuple)) else list(rows)
        if not rows:
            return 0
        consts = self.constants
        with connection.cursor() as cursor:
            for part in chunks(rows, chunk):
                shaped = [row + consts for row in part] if consts else part
                if connection.vendor == "postgresql":
                    self._copy(cursor, shaped)
                else:
                    cursor.executemany(self.sql, shaped)
        return len(rows)

    def _copy(self, cursor, rows: list[tuple]) -> None:
        # Django's cursor wrapper hands attributes through to psycopg's cursor
        with cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)


def insert(model, varying: Sequence[str], rows: Iterable[tuple], constants: dict | None = None, *,
           with_id: bool = False, now=None) -> int:
    """One :class:`Insert` run once: ``insert(TargetFinding, ["sheet", "code", …], rows, {"region": r})``."""
    return Insert(model, varying, constants, with_id=with_id, now=now).run(rows)


def insert_dicts(model, rows: Sequence[dict], constant: Iterable[str] = (), *, with_id: bool = False, now=None) -> int:
    """Rows as dicts with the same keys (attnames or field names): the ``constant`` keys are taken from
    the first row and prepared once, every other value is prepared through its field, row by row —
    simpler than tuples and slower (for thousands of rows, a demo builder; not for a province file)."""
    if not rows:
        return 0
    constant = set(constant)
    keys = [k for k in rows[0] if k not in constant]
    table = Insert(model, keys, {k: rows[0][k] for k in constant}, with_id=with_id, now=now)
    fields = table.varying
    return table.run([tuple(f.get_db_prep_save(row[k], connection) for k, f in zip(keys, fields, strict=True))
                      for row in rows])


def update(model, fields: Sequence[str], rows: Iterable[tuple], *, chunk: int = CHUNK) -> int:
    """``UPDATE`` of ``fields`` by primary key: ``rows`` are (pk, value, …) tuples, the values in the
    order of ``fields`` as the model's fields take them (prepared here through each field,
    ``get_db_prep_save``). One ``executemany`` of one prepared statement per chunk — Django's
    ``bulk_update`` builds a ``CASE WHEN`` per field and row, which for a few thousand rows takes
    seconds. No signals, no ``auto_now``: the caller sets what it means to set. Returns the rows."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in columns)} "
           f"WHERE {qn(meta.pk.column)} = %s")
    rows = rows if isinstance(rows, (list, tuple)) else list(rows)
    with connection.cursor() as cursor:
        for part in chunks(rows, chunk):
            cursor.executemany(sql, [[f.get_db_prep_save(v, connection) for f, v in zip(columns, row[1:], strict=True)]
                                     + [row[0]] for row in part])
    return len(rows)
