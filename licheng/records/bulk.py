"""Fast bulk writes for imports of tens of thousands of rows.

Django's ``bulk_create``/``bulk_update`` prepare every value of every row through the field API
(and ``bulk_update`` builds one huge ``CASE WHEN``); for a 60,000-row grade file that dominates the
import. These helpers prepare each *column* once (a converter per field): inserts go through
PostgreSQL's ``COPY`` (multi-row ``INSERT`` statements elsewhere), updates through
``executemany`` of one parameterised statement. Callers run inside their own transaction; no signals are sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

CHUNK = 2_000


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """The cheapest correct way to turn a Python value into a database parameter for ``field``."""
    if isinstance(field, (models.DateTimeField, models.DateField, models.JSONField)):
        last: list[Any] = [object(), None]  # imports repeat one timestamp on every row: convert it once

        def convert(value: Any) -> Any:
            if value is not last[0]:
                last[0], last[1] = value, field.get_db_prep_save(value, connection)
            return last[1]

        return convert
    return lambda value: value


def insert(model: type[models.Model], field_names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Multi-row ``INSERT`` of rows (values in ``field_names`` order, foreign keys as ids), a few
    hundred rows per statement (SQLite allows 32,766 parameters per statement)."""
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    converters = [_converter(f) for f in fields]  # type: ignore[arg-type]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - names from the model, values bound
        quote(meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),  # type: ignore[union-attr]
    )
    if connection.vendor == "postgresql":
        return _copy(meta.db_table, [str(f.column) for f in fields], converters, rows)  # type: ignore[union-attr]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(CHUNK, 30_000 // len(fields)))
    count = 0
    batch: list[Any] = []
    rows_in_batch = 0
    with connection.cursor() as cursor:
        for row in rows:
            batch.extend(convert(value) for convert, value in zip(converters, row, strict=True))
            rows_in_batch += 1
            if rows_in_batch == per_statement:
                cursor.execute(head + ", ".join([one] * rows_in_batch), batch)
                count += rows_in_batch
                batch, rows_in_batch = [], 0
        if rows_in_batch:
            cursor.execute(head + ", ".join([one] * rows_in_batch), batch)
            count += rows_in_batch
    return count


def _copy(table: str, columns: list[str], converters: list[Callable[[Any], Any]], rows: Iterable[Sequence[Any]]) -> int:
    """PostgreSQL: ``COPY … FROM STDIN`` (a multi-row ``INSERT`` with tens of thousands of
    placeholders costs more to parse on the client than to run)."""
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(quote(table), ", ".join(quote(c) for c in columns))
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([convert(value) for convert, value in zip(converters, row, strict=True)])
            count += 1
    return count


def update(model: type[models.Model], field_names: Sequence[str], objects: Sequence[models.Model]) -> int:
    """``UPDATE … WHERE pk = %s`` for each object, setting ``field_names`` from its attributes."""
    if not objects:
        return 0
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    converters = [_converter(f) for f in fields]  # type: ignore[arg-type]
    attnames = [f.attname for f in fields]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model, values bound
        quote(meta.db_table),
        ", ".join(f"{quote(str(f.column))} = %s" for f in fields),  # type: ignore[union-attr]
        quote(str(meta.pk.column)),  # type: ignore[union-attr]
    )
    params = [
        [convert(getattr(obj, name)) for convert, name in zip(converters, attnames, strict=True)] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[start : start + CHUNK])
    return len(params)
