from odoo.tests import TransactionCase, tagged

from ..tools.company_dependent import main_company_id, to_company_dependent


@tagged("post_install", "-at_install")
class TestToCompanyDependent(TransactionCase):
    """The pre-migrations' conversion of a plain column into Odoo 18's jsonb
    of a company-dependent field, on scratch tables (rolled back)."""

    def test_plain_columns_become_jsonb_keyed_by_company(self):
        cr = self.env.cr
        main = main_company_id(cr)
        self.assertEqual(main, self.env.ref("base.main_company").id)
        other = self.env["res.company"].create({"name": "CallGest Lisboa"})
        cr.execute(
            """CREATE TABLE callgest_scratch_tariff (id serial PRIMARY KEY);
               INSERT INTO callgest_scratch_tariff DEFAULT VALUES;
               CREATE TABLE callgest_scratch_partner (
                   id serial PRIMARY KEY,
                   company_id int,
                   tariff_id int REFERENCES callgest_scratch_tariff (id),
                   mode varchar NOT NULL,
                   fee numeric,
                   flag bool,
                   cap int,
                   since varchar);
               INSERT INTO callgest_scratch_partner
                      (company_id, tariff_id, mode, fee, flag, cap, since)
               VALUES (NULL, 1, 'prepaid', 95.5, TRUE, 0, '2026-10'),
                      (%s, NULL, 'postpaid', 0, FALSE, 60, NULL)""",
            [other.id],
        )
        table = "callgest_scratch_partner"
        for column in ("tariff_id", "mode", "fee", "flag", "since"):
            self.assertTrue(to_company_dependent(cr, table, column, main))
        self.assertTrue(to_company_dependent(cr, table, "cap", main, keep_empty=True))
        # a second run leaves the jsonb as it is
        self.assertFalse(to_company_dependent(cr, table, "mode", main))
        cr.execute(
            f"SELECT tariff_id, mode, fee, flag, cap, since FROM {table} ORDER BY id"
        )
        shared, lisbon = cr.fetchall()
        key, other_key = str(main), str(other.id)
        # a partner of no company: keyed by the main company
        self.assertEqual(
            shared,
            (
                {key: 1},
                {key: "prepaid"},
                {key: 95.5},
                {key: True},
                {key: 0},  # kept: 0 s of cap is no cap, not the fallback
                {key: "2026-10"},
            ),
        )
        # a partner of a company: keyed by it; empty values dropped
        self.assertEqual(
            lisbon, (None, {other_key: "postpaid"}, None, None, {other_key: 60}, None)
        )
        # no foreign key, no NOT NULL left
        cr.execute(
            """SELECT COUNT(*) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f'""",
            [table],
        )
        self.assertEqual(cr.fetchone()[0], 0)
        cr.execute(
            """SELECT is_nullable FROM information_schema.columns
                WHERE table_name = %s AND column_name = 'mode'""",
            [table],
        )
        self.assertEqual(cr.fetchone()[0], "YES")
