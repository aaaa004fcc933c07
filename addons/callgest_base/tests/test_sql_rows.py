from typing import NamedTuple

from odoo.tests import BaseCase, TransactionCase

from ..tools import sql_rows


class Row(NamedTuple):
    code: str
    amount: int
    note: str | None = None


class OtherRow(NamedTuple):
    code: str
    amount: int


class TestSqlRowsQueries(BaseCase):
    """The statements of the bulk helper, built without a database."""

    def test_insert_query_names_the_fields(self):
        self.assertEqual(
            sql_rows.insert_query("t", Row._fields),
            'INSERT INTO "t" ("code", "amount", "note") VALUES %s',
        )

    def test_insert_query_conflict_and_returning(self):
        self.assertEqual(
            sql_rows.insert_query("t", ("a", "b"), conflict=(), returning=("id",)),
            'INSERT INTO "t" ("a", "b") VALUES %s ON CONFLICT DO NOTHING '
            'RETURNING "id"',
        )
        self.assertEqual(
            sql_rows.insert_query(
                "t",
                ("a", "b", "c"),
                conflict=("a",),
                update=("b", "c"),
                returning=("a", "id"),
            ),
            'INSERT INTO "t" ("a", "b", "c") VALUES %s ON CONFLICT ("a") DO UPDATE '
            'SET "b" = EXCLUDED."b", "c" = EXCLUDED."c" RETURNING "a", "id"',
        )

    def test_update_needs_a_conflict_target(self):
        with self.assertRaises(ValueError):
            sql_rows.insert_query("t", ("a",), conflict=(), update=("a",))

    def test_only_plain_identifiers(self):
        for name in ('a"; DROP TABLE x; --', "A", "1a", "", None, "a b"):
            with self.subTest(name=name), self.assertRaises(ValueError):
                sql_rows.insert_query("t", (name,))
        with self.assertRaises(ValueError):
            sql_rows.copy_query("t;", ("a",))

    def test_rows_must_be_named_and_of_one_type(self):
        self.assertEqual(sql_rows.row_type_of([Row("x", 1)]), Row)
        with self.assertRaises(TypeError):
            sql_rows.row_type_of([("x", 1)])
        with self.assertRaises(TypeError):
            sql_rows.row_type_of([Row("x", 1), OtherRow("y", 2)])
        # a misspelt column is refused when the row is built
        with self.assertRaises(TypeError):
            Row(code="x", amuont=1)

    def test_csv_data(self):
        self.assertEqual(
            sql_rows.csv_data([Row("a,b", 1), Row("c\x00d", 2, 'say "hi"')]),
            b'"a,b",1,\ncd,2,"say ""hi"""\n',
        )
        self.assertEqual(
            sql_rows.copy_query("t", Row._fields),
            'COPY "t" ("code", "amount", "note") FROM STDIN WITH (FORMAT csv)',
        )


class TestSqlRowsDatabase(TransactionCase):
    """The helper against PostgreSQL, on a temporary table."""

    def setUp(self):
        super().setUp()
        self.env.cr.execute(
            """CREATE TEMP TABLE sql_rows_test (
                   id serial PRIMARY KEY,
                   code varchar UNIQUE NOT NULL,
                   note varchar,
                   amount integer NOT NULL)"""
        )

    def table(self):
        self.env.cr.execute("SELECT code, amount, note FROM sql_rows_test ORDER BY id")
        return self.env.cr.fetchall()

    def test_insert_by_name_in_pages(self):
        # the table's column order (code, note, amount) is not the row's
        rows = [Row(code=f"c{n:03d}", amount=n) for n in range(25)]
        rows[3] = rows[3]._replace(note="third")
        returned = sql_rows.insert_rows(
            self.env.cr, "sql_rows_test", rows, returning=("code", "id"), page_size=10
        )
        self.assertEqual([code for code, _id in returned], [r.code for r in rows])
        self.assertEqual(len({id_ for _code, id_ in returned}), 25)
        table = self.table()
        self.assertEqual(table[3], ("c003", 3, "third"))
        self.assertEqual(table[24], ("c024", 24, None))

    def test_conflicts(self):
        cr = self.env.cr
        sql_rows.insert_rows(cr, "sql_rows_test", [Row("a", 1), Row("b", 2)])
        # DO NOTHING: only the new row is returned
        returned = sql_rows.insert_rows(
            cr,
            "sql_rows_test",
            [Row("a", 10), Row("c", 3)],
            conflict=("code",),
            returning=("code",),
        )
        self.assertEqual(returned, [("c",)])
        # DO UPDATE of the columns named, the others kept
        returned = sql_rows.insert_rows(
            cr,
            "sql_rows_test",
            [Row("b", 20, "updated")],
            conflict=("code",),
            update=("note",),
            returning=("code", "amount"),
        )
        self.assertEqual(returned, [("b", 2)])
        self.assertEqual(
            self.table(), [("a", 1, None), ("b", 2, "updated"), ("c", 3, None)]
        )
        self.assertEqual(sql_rows.insert_rows(cr, "sql_rows_test", []), [])

    def test_copy_rows(self):
        rows = [
            Row("x,1", 1, 'with "quotes"\nand a line'),
            Row("y", 2),
            Row("z", 3, ""),
        ]
        sql_rows.copy_rows(self.env.cr, "sql_rows_test", rows)
        # None and the empty string are NULL
        self.assertEqual(
            self.table(),
            [("x,1", 1, 'with "quotes"\nand a line'), ("y", 2, None), ("z", 3, None)],
        )
