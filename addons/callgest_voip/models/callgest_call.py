import pytz

from odoo import api, fields, models

DIRECTIONS = [
    ("inbound", "Inbound to a DDI"),
    ("outbound", "Outbound for a client"),
    ("transfer", "Transfer leg"),
]
DISPOSITIONS = [
    ("answered", "Answered"),
    ("missed", "Missed / abandoned"),
    ("busy", "Busy"),
    ("failed", "Failed"),
    ("blacklisted", "Blacklisted"),
]


class CallgestCall(models.Model):
    """One call, consolidated from the PBX rows that belong to it.

    Written in bulk by ``callgest.cdr.importer`` (SQL, no per-row ORM); the
    pair (PBX, call key) is unique in the database, so an import is
    idempotent even when two of them run at the same time.
    """

    _name = "callgest.call"
    _description = "CallGest call"
    _order = "start_time desc, id desc"
    _rec_name = "call_key"
    _check_company_auto = True
    # Facts from the PBX, written in bulk and never edited by hand: the batch
    # says who imported them and when (and 4 columns and 2 foreign keys less
    # per row count at a million calls a month)
    _log_access = False

    # no index of its own: the unique (pbx_id, call_key) index serves it
    pbx_id = fields.Many2one("callgest.pbx", string="PBX", required=True, readonly=True)
    batch_id = fields.Many2one(
        "callgest.cdr.batch",
        string="Import batch",
        index=True,
        readonly=True,
        groups="base.group_user",
    )
    call_key = fields.Char(
        required=True,
        readonly=True,
        help="The call's unique key on its PBX: the Asterisk linkedid, or the "
        "uniqueid / FreeSWITCH uuid.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    direction = fields.Selection(DIRECTIONS, required=True, readonly=True)
    ddi_id = fields.Many2one(
        "callgest.ddi", string="DDI", index=True, readonly=True, check_company=True
    )
    # indexed with local_date (see init): per client, per client and period
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    professional_id = fields.Many2one(
        "res.partner", index="btree_not_null", readonly=True
    )
    caller_number = fields.Char(readonly=True, help="E.164 when it could be read.")
    caller_raw = fields.Char(string="Caller as written", readonly=True)
    caller_name = fields.Char(readonly=True)
    called_number = fields.Char(readonly=True, help="E.164 when it could be read.")
    called_raw = fields.Char(string="Called as written", readonly=True)
    start_time = fields.Datetime(required=True, readonly=True, index=True)
    answer_time = fields.Datetime(readonly=True)
    end_time = fields.Datetime(required=True, readonly=True)
    local_date = fields.Date(
        readonly=True,
        help="The day of the call in the client's timezone (reports, billing).",
    )
    duration = fields.Integer(string="Duration (s)", readonly=True)
    wait_seconds = fields.Integer(
        readonly=True, help="Ring and queue time before a secretary answered."
    )
    robot_seconds = fields.Integer(
        readonly=True,
        help="IVR, menus, announcements and messages before pickup (robot rate).",
    )
    queue_seconds = fields.Integer(
        readonly=True,
        help="In a queue, hearing its music, before a secretary answered or "
        "until the caller hung up (robot rate, as the IVR). Plain ringing is "
        "not queue time.",
    )
    secretary_seconds = fields.Integer(
        readonly=True, help="From pickup to hangup or to the transfer."
    )
    transfer_seconds = fields.Integer(readonly=True)
    transfer_to = fields.Char(string="Transferred to", readonly=True)
    transfer_legs = fields.Text(
        readonly=True,
        groups="base.group_user",
        help="Each transfer outside, in order: its number (E.164 when it could "
        "be read), a tab and its seconds, one a line.",
    )
    disposition = fields.Selection(DISPOSITIONS, required=True, readonly=True)
    disposition_raw = fields.Char(string="Disposition as written", readonly=True)
    # the back office's: not for the client's portal
    agent_id = fields.Many2one(
        "res.users", index="btree_not_null", readonly=True, groups="base.group_user"
    )
    agent_extension = fields.Char(readonly=True, groups="base.group_user")
    dialed_client_code = fields.Char(
        readonly=True, help="For an outbound call: the client code dialed."
    )
    queue_name = fields.Char(readonly=True)
    recording_ref = fields.Char(
        string="Recording",
        groups="callgest_base.group_callgest_supervisor",
        help="URL or file of the recording.",
    )
    recording_purged_on = fields.Datetime(
        groups="callgest_base.group_callgest_supervisor", readonly=True
    )
    has_cdr = fields.Boolean(readonly=True, help="The PBX's CDR rows arrived.")
    has_queue_log = fields.Boolean(readonly=True, help="queue_log events arrived.")
    leg_count = fields.Integer(readonly=True)
    leg_keys = fields.Text(
        readonly=True,
        groups="base.group_user",
        help="The identity of each PBX row (leg) of the call.",
    )
    leg_refs = fields.Char(
        string="PBX rows",
        readonly=True,
        groups="base.group_user",
        help="Where the call's rows are: import batch and line numbers, e.g. "
        "'12:5,6,9' (several batches separated by ';').",
    )
    start_local = fields.Char(
        string="Start (client time)", compute="_compute_start_local"
    )
    client_tz = fields.Char(compute="_compute_start_local")

    _sql_constraints = [
        (
            "call_key_uniq",
            "unique(pbx_id, call_key)",
            "This call was already imported from this PBX.",
        ),
    ]

    def init(self):
        # a client's calls of a period (reports, billing, the portal's month)
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS callgest_call_partner_date_idx
                   ON callgest_call (partner_id, local_date)"""
        )

    @api.depends("start_time", "partner_id.tz", "pbx_id.timezone")
    def _compute_start_local(self):
        for call in self:
            tz_name = call.partner_id.tz or call.pbx_id.timezone or "UTC"
            call.client_tz = tz_name
            if not call.start_time:
                call.start_local = False
                continue
            local = pytz.utc.localize(call.start_time).astimezone(
                pytz.timezone(tz_name)
            )
            call.start_local = local.strftime("%Y-%m-%d %H:%M:%S %Z")
