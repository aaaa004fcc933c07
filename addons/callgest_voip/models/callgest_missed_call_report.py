import logging
from datetime import datetime, time, timedelta

import psycopg2
import pytz
from markupsafe import Markup

from odoo import api, fields, models, modules
from odoo.tools import SQL, email_normalize, format_date

from .callgest_call_quality_report import MISSED_DISPOSITIONS

_logger = logging.getLogger(__name__)

# the widest UTC offsets (UTC-12 .. UTC+14), to bound a local day in UTC
_MAX_OFFSET = timedelta(hours=15)


class CallgestMissedCallReport(models.Model):
    """The daily list of missed calls sent to one client for one day.

    One record per client and day: the log of what was sent, and the key that
    keeps a second run (or a run overlapping another) from sending it again.
    """

    _name = "callgest.missed.call.report"
    _description = "CallGest daily missed-calls report"
    _order = "day desc, id desc"
    _rec_name = "subject"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    day = fields.Date(
        required=True, readonly=True, help="The day of the calls, client's time."
    )
    call_count = fields.Integer(string="Missed calls", readonly=True)
    call_ids = fields.Many2many("callgest.call", string="Calls", readonly=True)
    sent_on = fields.Datetime(readonly=True)
    channel = fields.Selection(
        [
            ("delivery", "Client's recipients"),
            ("email", "Email"),
            ("none", "Nobody to send to"),
        ],
        readonly=True,
    )
    delivery_count = fields.Integer(
        string="Messages", readonly=True, help="Deliveries queued or emails sent."
    )
    email_to = fields.Char(readonly=True)
    subject = fields.Char(readonly=True)
    body_html = fields.Html(readonly=True, sanitize_style=True)
    mail_id = fields.Many2one("mail.mail", string="Email", readonly=True)

    _sql_constraints = [
        (
            "partner_day_uniq",
            "unique(partner_id, day)",
            "The missed calls of this client and day were already reported.",
        ),
    ]

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_send_missed_call_reports(self):
        return self._send_missed_call_reports()

    @api.model
    def _send_missed_call_reports(self, day=None):
        """Report yesterday's missed calls to each client that has some.

        :param day: the local day to report (a date); by default each
            client's yesterday in its own timezone.
        :return: the reports created (recordset).
        """
        now = fields.Datetime.now()
        if day:
            day = fields.Date.to_date(day)
            start = datetime.combine(day, time.min) - _MAX_OFFSET
            end = datetime.combine(day + timedelta(days=1), time.min) + _MAX_OFFSET
        else:
            start, end = now - timedelta(days=2) - _MAX_OFFSET, now
        by_client = self._missed_calls_by_client_day(start, end, now, day)
        auto_commit = not modules.module.current_test
        reports = self.browse()
        for (partner_id, report_day), (company_id, call_ids) in sorted(
            by_client.items()
        ):
            try:
                with self.env.cr.savepoint():
                    report = self._send_one(
                        partner_id, company_id, report_day, call_ids
                    )
            except psycopg2.errors.UniqueViolation:
                # an overlapping run reported this client and day meanwhile
                _logger.info(
                    "CallGest: missed calls of client %s on %s already reported",
                    partner_id,
                    report_day,
                )
                continue
            except Exception:  # noqa: BLE001 - one client must not stop the rest
                _logger.exception(
                    "CallGest: missed-calls report of client %s for %s failed",
                    partner_id,
                    report_day,
                )
                continue
            reports |= report
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return reports

    @api.model
    def _missed_calls_by_client_day(self, start, end, now, day):
        """``{(client id, local day): (company id, [call ids])}`` of the missed
        inbound calls not reported yet, ``day`` or each client's yesterday."""
        self.env["callgest.call"].flush_model()
        self.env["res.partner"].flush_model()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT c.id, c.partner_id, c.company_id, c.start_time,
                          COALESCE(NULLIF(p.tz, ''), x.timezone) AS tz
                     FROM callgest_call c
                     JOIN res_partner p ON p.id = c.partner_id
                     JOIN callgest_pbx x ON x.id = c.pbx_id
                    WHERE c.direction = 'inbound'
                      AND c.disposition IN %s
                      AND c.start_time >= %s AND c.start_time < %s
                      AND p.callgest_missed_call_report
                 ORDER BY c.start_time, c.id""",
                MISSED_DISPOSITIONS,
                start,
                end,
            )
        )
        result = {}
        utc_now = pytz.utc.localize(now)
        for row in self.env.cr.dictfetchall():
            tz = _timezone(row["tz"])
            local_day = pytz.utc.localize(row["start_time"]).astimezone(tz).date()
            if local_day != (day or utc_now.astimezone(tz).date() - timedelta(days=1)):
                continue
            result.setdefault((row["partner_id"], local_day), (row["company_id"], []))[
                1
            ].append(row["id"])
        if result:
            self.env.cr.execute(
                SQL(
                    """SELECT partner_id, day FROM callgest_missed_call_report
                        WHERE partner_id IN %s AND day IN %s""",
                    tuple({key[0] for key in result}),
                    tuple({key[1] for key in result}),
                )
            )
            for key in self.env.cr.fetchall():
                result.pop(key, None)
        return result

    @api.model
    def _send_one(self, partner_id, company_id, day, call_ids):
        client = self.env["res.partner"].browse(partner_id)
        calls = self.env["callgest.call"].browse(call_ids)
        lang = client.lang or self.env.lang or "en_US"
        subject, body = self.with_context(lang=lang)._render(client, day, calls)
        # the unique (client, day) blocks an overlapping run here until the
        # first one commits, then fails: that run skips the client
        report = self.create(
            {
                "partner_id": partner_id,
                "company_id": company_id,
                "day": day,
                "call_count": len(calls),
                "call_ids": [fields.Command.set(calls.ids)],
                "subject": subject,
                "body_html": body,
                "sent_on": fields.Datetime.now(),
            }
        )
        report._callgest_send(client, subject, body)
        _logger.info(
            "CallGest: %s missed calls of client %s on %s reported (%s, %s messages)",
            len(calls),
            client.id,
            day,
            report.channel,
            report.delivery_count,
        )
        return report

    def _callgest_send(self, client, subject, body):
        """Send the report to ``client``: by email to the client and its
        contacts. (The bridge callgest_voip_message sends it to the client's
        recipients through callgest_message's delivery engine instead.)"""
        self._send_by_email()

    def _render(self, client, day, calls):
        _ = self.env._
        tz = _timezone(client.tz or calls[:1].pbx_id.timezone)
        subject = _(
            "Missed calls of %(client)s on %(day)s: %(count)s",
            client=client.name,
            count=len(calls),
            day=format_date(self.env, day),
        )
        outcomes = dict(calls._fields["disposition"]._description_selection(self.env))
        rows = []
        for call in calls.sorted(lambda c: (c.start_time, c.id)):
            local = pytz.utc.localize(call.start_time).astimezone(tz)
            caller = " ".join(
                filter(None, [call.caller_name, call.caller_number or call.caller_raw])
            )
            rows.append(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
                )
                % (
                    local.strftime("%H:%M:%S"),
                    caller or _("Unknown"),
                    call.ddi_id.display_name or call.called_number or "",
                    _("%(seconds)s s", seconds=_missed_wait(call)),
                    outcomes[call.disposition],
                )
            )
        header = Markup(
            "<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
        ) % (_("Time"), _("Caller"), _("Number called"), _("Wait"), _("Outcome"))
        intro = _(
            "Calls to %(client)s that were not answered on %(day)s (%(tz)s time):",
            client=client.name,
            day=format_date(self.env, day),
            tz=tz.zone,
        )
        body = Markup(
            "<p>%s</p><table border='1' cellpadding='4' "
            "style='border-collapse: collapse'>%s%s</table>"
        ) % (intro, header, Markup("").join(rows))
        return subject, body

    def _send_by_email(self):
        """Email the client and its contacts."""
        self.ensure_one()
        client = self.partner_id.commercial_partner_id
        contacts = client.callgest_authorized_contact_ids.filtered(
            lambda c: c.receives_notifications and c.active
        ).partner_id
        addresses, seen = [], set()
        for partner in client | contacts:
            normalized = email_normalize(partner.email or "")
            if normalized and normalized not in seen:
                seen.add(normalized)
                addresses.append(partner.email_formatted)
        if not addresses:
            self.write({"channel": "none", "delivery_count": 0})
            return
        self.email_to = ", ".join(addresses)
        template = self.env.ref("callgest_voip.mail_template_missed_call_report")
        mail_id = template.sudo().send_mail(self.id, force_send=False)
        self.write(
            {
                "channel": "email",
                "delivery_count": len(addresses),
                "mail_id": mail_id,
            }
        )


def _timezone(name):
    try:
        return pytz.timezone(name or "UTC")
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def _missed_wait(call):
    """How long the caller waited: a missed call waited its whole duration."""
    if call.duration:
        return call.duration
    return int((call.end_time - call.start_time).total_seconds())
