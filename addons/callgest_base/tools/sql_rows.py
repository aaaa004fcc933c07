"""Typed rows for the bulk SQL paths: rows are matched to columns by name.

A table's rows are a ``typing.NamedTuple`` whose fields are the columns they
write: a row is built with keywords (a missing or misspelt column is a
``TypeError`` when it is built, not a value silently stored in its neighbour's
column) and the statement names the same fields, in the same order, so that
the position of a value never matters to whoever builds a row.

    class QuarantineRow(NamedTuple):
        pbx_id: int
        raw_line: str

    insert_rows(cr, "callgest_cdr_quarantine", rows, conflict=("pbx_id",),
                returning=("id",))

The statements go through Odoo's public cursor API (``cr.execute_values``,
``cr.copy_expert``), never the psycopg2 cursor behind it.
"""

import csv
import io
import re

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def quote(name):
    """``name`` as a quoted SQL identifier; only lower-case identifiers (the
    names Odoo gives tables and columns) are accepted."""
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise ValueError(f"Not an SQL identifier: {name!r}")
    return f'"{name}"'


def column_list(names):
    return ", ".join(quote(name) for name in names)


def columns_of(row_type):
    """The columns of a row type: the fields of its NamedTuple."""
    fields = getattr(row_type, "_fields", None)
    if not fields:
        raise TypeError(f"{row_type!r} is not a NamedTuple row type")
    return fields


def row_type_of(rows):
    """The one NamedTuple type of ``rows`` (a list): rows of two types, or
    plain tuples, cannot be matched to one list of columns."""
    row_type = type(rows[0])
    columns_of(row_type)
    for row in rows:
        if type(row) is not row_type:
            raise TypeError(
                f"Rows of {row_type.__name__} and {type(row).__name__} "
                "cannot be inserted together"
            )
    return row_type


def insert_query(table, columns, conflict=None, update=(), returning=()):
    """``INSERT INTO table (columns) VALUES %s [ON CONFLICT ...] [RETURNING
    ...]``, the ``%s`` for ``cr.execute_values``.

    :param conflict: None: no ON CONFLICT clause; a tuple of columns (empty
        for any constraint): ``ON CONFLICT (columns) DO NOTHING``, or ``DO
        UPDATE SET`` the ``update`` columns to the values of the row refused
    :param update: columns to update on a conflict (needs ``conflict``
        columns: PostgreSQL asks for the conflict target of a DO UPDATE)
    :param returning: columns of the rows inserted (or updated) to return
    """
    query = f"INSERT INTO {quote(table)} ({column_list(columns)}) VALUES %s"
    if update and not conflict:
        raise ValueError("ON CONFLICT DO UPDATE needs the conflict columns")
    if conflict is not None:
        target = f" ({column_list(conflict)})" if conflict else ""
        if update:
            action = "DO UPDATE SET " + ", ".join(
                f"{quote(column)} = EXCLUDED.{quote(column)}" for column in update
            )
        else:
            action = "DO NOTHING"
        query += f" ON CONFLICT{target} {action}"
    if returning:
        query += f" RETURNING {column_list(returning)}"
    return query


def insert_rows(
    cr, table, rows, conflict=None, update=(), returning=(), page_size=1000
):
    """Insert ``rows`` (NamedTuples of one type: its fields are the columns)
    into ``table``, ``page_size`` rows per statement.

    See :func:`insert_query` for ``conflict``, ``update`` and ``returning``.
    :return: the ``returning`` values of the rows written, as tuples (a row
        skipped by ``DO NOTHING`` returns nothing); ``[]`` without returning
    """
    if not rows:
        return []
    rows = rows if isinstance(rows, list) else list(rows)
    query = insert_query(
        table, columns_of(row_type_of(rows)), conflict, update, returning
    )
    result = cr.execute_values(query, rows, page_size=page_size, fetch=bool(returning))
    return result if returning else []


def csv_data(rows):
    """``rows`` as the bytes of a CSV ``COPY``: None is an unquoted empty
    field, which COPY reads as NULL (an empty string becomes NULL too); NUL
    characters, which PostgreSQL text cannot hold, are dropped."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.encode()


def copy_query(table, columns):
    return f"COPY {quote(table)} ({column_list(columns)}) FROM STDIN WITH (FORMAT csv)"


def copy_rows(cr, table, rows):
    """``COPY`` ``rows`` (NamedTuples of one type) into ``table``: the fastest
    bulk load, without ON CONFLICT (a temporary table, then an INSERT ...
    SELECT that handles conflicts)."""
    if not rows:
        return
    rows = rows if isinstance(rows, list) else list(rows)
    columns = columns_of(row_type_of(rows))
    data = csv_data(rows)
    # one read of the whole buffer: psycopg2 holds the GIL for each read, and
    # a read-ahead thread must not slow the COPY down
    cr.copy_expert(copy_query(table, columns), io.BytesIO(data), size=len(data) + 1)
