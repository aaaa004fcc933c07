"""Migration helper: a plain column becomes a company-dependent field.

In Odoo 18 a ``company_dependent=True`` field is one jsonb column of the
model's table, ``{"<company id>": value}``; a company without a key reads the
field's fallback (its ``ir.default``, else empty). The CallGest service
settings of a client (tariff, billing mode, prepaid account, pending fees...)
were plain columns of ``res_partner`` before issue 13: the pre-migrations of
the addons that define them call ``to_company_dependent`` for each, before the
ORM sees the new definitions (it would otherwise cast the old values blindly).
"""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# the SQL "empty" value of a column type: not stored (the fallback reads it)
EMPTY = {
    "boolean": "FALSE",
    "integer": "0",
    "numeric": "0",
    "double precision": "0",
}


def main_company_id(cr):
    """The main company (base.main_company), else the first one."""
    cr.execute(
        """SELECT res_id FROM ir_model_data
            WHERE module = 'base' AND name = 'main_company'"""
    )
    row = cr.fetchone()
    if row:
        return row[0]
    cr.execute("SELECT MIN(id) FROM res_company")
    return cr.fetchone()[0]


def to_company_dependent(cr, table, column, company_id, keep_empty=False):
    """Turn ``table.column`` into the jsonb of a company-dependent field,
    each value keyed by the row's ``company_id``, else ``company_id``.

    Empty values (NULL; False, 0 unless ``keep_empty``, for a field whose
    fallback is not empty) are dropped. The column's foreign key and NOT NULL
    go (a company-dependent many2one has no foreign key). Returns whether the
    column was converted: a jsonb column (a second run) is left alone.
    """
    cr.execute(
        """SELECT data_type FROM information_schema.columns
            WHERE table_name = %s AND column_name = %s""",
        [table, column],
    )
    row = cr.fetchone()
    if not row or row[0] == "jsonb":
        return False
    cr.execute(
        """SELECT con.conname
             FROM pg_constraint con
             JOIN pg_attribute att
               ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
            WHERE con.conrelid = %s::regclass AND con.contype = 'f'
              AND att.attname = %s""",
        [table, column],
    )
    foreign_keys = [name for (name,) in cr.fetchall()]
    for name in foreign_keys:
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(name),
            )
        )
    if foreign_keys:
        cr.execute(
            "DELETE FROM ir_model_constraint WHERE name = ANY(%s) AND type = 'f'",
            [foreign_keys],
        )
    ident = SQL.identifier(column)
    empty = EMPTY.get(row[0])
    keep = (
        SQL("TRUE") if keep_empty or not empty else SQL("%s != %s", ident, SQL(empty))
    )
    cr.execute(
        SQL(
            "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL",
            SQL.identifier(table),
            ident,
        )
    )
    cr.execute(
        SQL(
            """ALTER TABLE %(table)s ALTER COLUMN %(column)s TYPE jsonb
               USING CASE WHEN %(column)s IS NOT NULL AND %(keep)s
                          THEN jsonb_build_object(
                              COALESCE(company_id, %(company)s)::text,
                              to_jsonb(%(column)s))
                     END""",
            table=SQL.identifier(table),
            column=ident,
            keep=keep,
            company=int(company_id),
        )
    )
    _logger.info("%s.%s is company-dependent now", table, column)
    return True
