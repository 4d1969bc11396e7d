"""Set-based statements for a batch of rows: which keys are stored already, and an INSERT that skips
taken keys and says which rows it wrote. On SQLite the statements are written out and bound once per
batch: SQLAlchemy Core's per-row work cost more than SQLite itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Table, select

from storage.sql import SQLITE_MAX_VARIABLES, chunks, insert_for

# Columns whose values arrive already encoded as JSON text (storage/rows.py).
ENCODED = frozenset({"rules", "crossing_figures", "ministerial_visits"})


def decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A row for SQLAlchemy Core, whose JSON columns encode their values themselves."""
    return {k: orjson.loads(v) if k in ENCODED else v for k, v in row.items()}


def stored_hashes(
    connection: Connection, items_table: Table, keys: Sequence[str]
) -> dict[str, tuple[int, str]]:
    """identity -> (id, content hash) of those of `keys` already stored. On SQLite the statement is
    written out: compiling a 500-value IN list cost SQLAlchemy more than SQLite's lookups."""
    found: dict[str, tuple[int, str]] = {}
    sqlite = connection.dialect.name == "sqlite"
    for chunk in chunks(keys):
        if sqlite:
            marks = ", ".join("?" * len(chunk))
            rows: Any = connection.exec_driver_sql(
                f"SELECT identity, id, content_hash FROM {items_table.name} WHERE identity IN ({marks})",
                tuple(chunk),
            )
        else:
            rows = connection.execute(
                select(items_table.c.identity, items_table.c.id, items_table.c.content_hash).where(
                    items_table.c.identity.in_(chunk)
                )
            )
        found.update({row[0]: (int(row[1]), str(row[2])) for row in rows})
    return found


def insert_new(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    conflict: str,
    *,
    returning: bool = True,
) -> dict[str, int]:
    """Insert `rows` (values in the order of `names`), skipping those whose `conflict` column is
    already taken; with `returning`, the identity -> id of each row this statement inserted (a
    racing process's rows excluded)."""
    if connection.dialect.name == "sqlite":
        return _sqlite_insert_new(connection, table, names, rows, conflict, returning=returning)
    statement = insert_for(connection.engine, table).on_conflict_do_nothing(index_elements=[conflict])
    params = [decoded(dict(zip(names, row, strict=True))) for row in rows]
    if not returning:
        connection.execute(statement, params)
        return {}
    result = connection.execute(statement.returning(table.c.identity, table.c.id), params)
    return {row[0]: int(row[1]) for row in result}


def _last_value_cached(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor that reuses its last result for the very same object (a batch's one
    timestamp)."""
    last: list[Any] = [object(), None]

    def cached(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return cached


def _bound(
    connection: Connection, table: Table, names: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """`rows` through the columns' own bind processors (JSON ones arrive encoded with the engine's
    serializer), so they are stored exactly as Core stores them."""
    dialect = connection.dialect
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(names):
        process = (
            None if name in ENCODED else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        )
        if process is not None:
            processors.append((index, _last_value_cached(process)))
    if not processors:
        return rows
    bound = []
    for row in rows:
        values = list(row)
        for index, cached in processors:
            values[index] = cached(values[index])
        bound.append(tuple(values))
    return bound


def _sqlite_insert_new(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    conflict: str,
    *,
    returning: bool,
) -> dict[str, int]:
    """The same statements as SQLAlchemy Core would send, built once per batch: Core's per-row
    parameter handling cost more than SQLite itself (~25 µs a row)."""
    bound = _bound(connection, table, names, rows)
    quote = connection.dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    marks = "(" + ", ".join("?" * len(names)) + ")"
    tail = f" ON CONFLICT ({quote(conflict)}) DO NOTHING"
    if not returning:
        connection.exec_driver_sql(head + marks + tail, bound)
        return {}
    inserted: dict[str, int] = {}
    per_statement = max(1, min(500, SQLITE_MAX_VARIABLES // len(names)))
    for chunk in chunks(bound, per_statement):
        sql = head + ", ".join([marks] * len(chunk)) + tail + f" RETURNING {quote('identity')}, {quote('id')}"
        result = connection.exec_driver_sql(sql, tuple(value for row in chunk for value in row))
        inserted.update((str(row[0]), int(row[1])) for row in result)
    return inserted
