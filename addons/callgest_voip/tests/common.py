import os
from datetime import date

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon

DATA = os.path.join(os.path.dirname(__file__), "data")
RINGGROUP = "asterisk-ringgroup-linkedid.csv"
PJSIP = "asterisk-pjsip-custom-order.csv"
FREESWITCH = "freeswitch-default-template.csv"
# the custom order of the PJSIP sample: clid first, accountcode after amaflags
PJSIP_COLUMNS = [
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "userfield",
    "sequence",
]
PJSIP_COLUMN_ORDER = ",".join(PJSIP_COLUMNS)


def sample(name):
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


class CallgestVoipCommon(CallgestBaseCommon):
    """A PBX in Madrid, its inbound routes to DDIs, and helpers to import."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["callgest.cdr.batch"]
        cls.Call = cls.env["callgest.call"]
        cls.Quarantine = cls.env["callgest.cdr.quarantine"]
        # the samples are from 2020-2024: the DDIs were in service then
        cls.clinic_ddi.activation_date = date(2019, 1, 1)
        cls.law_ddi = cls.create_ddi("91 555 12 34", cls.spain, cls.law_firm)
        cls.law_ddi.activation_date = date(2019, 1, 1)
        cls.pbx = cls.env["callgest.pbx"].create(
            {
                "name": "Test Asterisk",
                "code": "test-asterisk",
                "system": "asterisk",
                "timezone": "Europe/Madrid",
                "country_id": cls.spain.id,
            }
        )
        cls.route_ring_group = cls.env["callgest.pbx.route"].create(
            {"pbx_id": cls.pbx.id, "pbx_number": "211553", "ddi_id": cls.law_ddi.id}
        )
        cls.route_single = cls.env["callgest.pbx.route"].create(
            {"pbx_id": cls.pbx.id, "pbx_number": "211474", "ddi_id": cls.clinic_ddi.id}
        )

    def import_bytes(self, data, pbx=None, name="Master.csv", chunk_lines=None, **kw):
        batch = self.Batch._create_from_bytes(pbx or self.pbx, name, data, **kw)
        batch._process(chunk_lines=chunk_lines)
        return batch

    def assertBatchCounts(self, batch, **expected):
        """The counts asked for, and the invariant that ties them together."""
        for key, value in expected.items():
            self.assertEqual(batch[key], value, key)
        self.assertEqual(
            batch.rows_in,
            batch.rows_in_calls
            + batch.duplicates
            + batch.quarantined
            + batch.non_call_events,
        )
        self.assertTrue(batch.counts_consistent)

    def call_snapshot(self, pbx):
        """What a set of imported calls holds, comparable across PBXs."""
        calls = self.Call.search([("pbx_id", "=", pbx.id)])
        return sorted(
            (
                call.call_key,
                call.partner_id.id,
                call.start_time,
                call.answer_time,
                call.end_time,
                call.wait_seconds,
                call.robot_seconds,
                call.secretary_seconds,
                call.transfer_seconds,
                call.disposition,
                call.leg_count,
            )
            for call in calls
        )
