from odoo.tests import HttpCase, new_test_user, tagged

from .common import RINGGROUP, sample


@tagged("post_install", "-at_install")
class TestQuarantineUi(HttpCase):
    def test_supervisor_reprocesses_quarantined_rows(self):
        spain = self.env.ref("base.es")
        client = self.env["res.partner"].create(
            {"name": "Tour Repairs", "is_callgest_client": True, "tz": "Europe/Madrid"}
        )
        ddi = self.env["callgest.ddi"].create(
            {
                "number_entered": "93 390 67 55",
                "country_id": spain.id,
                "partner_id": client.id,
            }
        )
        ddi.action_activate()
        pbx = self.env["callgest.pbx"].create(
            {"name": "Tour PBX", "code": "tour", "timezone": "Europe/Madrid"}
        )
        # only one of the sample's two numbers is routed: the other's calls wait
        self.env["callgest.pbx.route"].create(
            {"pbx_id": pbx.id, "pbx_number": "211553", "ddi_id": ddi.id}
        )
        batch = self.env["callgest.cdr.batch"]._create_from_bytes(
            pbx, "Master.csv", sample(RINGGROUP)
        )
        batch._process()
        pending = batch.quarantine_ids
        self.assertTrue(pending)
        self.env["callgest.pbx.route"].create(
            {"pbx_id": pbx.id, "pbx_number": "211474", "ddi_id": ddi.id}
        )
        new_test_user(
            self.env,
            login="tour_voip_supervisor",
            password="tour_voip_supervisor",
            groups="callgest_base.group_callgest_supervisor",
        )
        self.start_tour(
            "/odoo", "callgest_quarantine_reprocess_tour", login="tour_voip_supervisor"
        )
        self.assertEqual(set(pending.mapped("state")), {"reprocessed"})
        batch.invalidate_recordset()
        self.assertEqual(batch.quarantined, 0)
        self.assertEqual(batch.calls_created, 36)
        self.assertEqual(
            self.env["callgest.call"].search_count([("pbx_id", "=", pbx.id)]), 36
        )
