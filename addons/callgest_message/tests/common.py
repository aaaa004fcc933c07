from contextlib import contextmanager
from urllib.parse import urlsplit

from odoo import fields
from odoo.tests.common import _super_send

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .http_server import RecordingProviderServer


def delivery_jobs(env, due_only=True):
    """The waiting (pending) delivery jobs, due ones only by default."""
    domain = [("model_name", "=", "callgest.delivery"), ("state", "=", "pending")]
    if due_only:
        domain += ["|", ("eta", "=", False), ("eta", "<=", fields.Datetime.now())]
    return env["queue.job"].sudo().search(domain, order="id")


def perform_delivery_jobs(env, limit=None):
    """Run the due delivery jobs as queue_job's runner does; how many ran.

    The job's own code path (RunJobController._try_perform_job) and, on a
    RetryableJobError, the runner's postponement. The runner also rolls the
    job's transaction back then: the delivery job writes nothing in it (its
    attempts and outcomes commit on cursors of their own), so skipping that
    rollback, which a TransactionCase forbids, changes nothing.
    """
    env.flush_all()
    done = 0
    while limit is None or done < limit:
        record = delivery_jobs(env)[:1]
        if not record:
            break
        job = Job.load(env, record.uuid)
        job.set_started()
        job.store()
        try:
            RunJobController._try_perform_job(env, job)
        except RetryableJobError as error:
            job.postpone(result=str(error), seconds=error.seconds)
            job.set_pending(reset_retry=False)
            job.store()
        env.flush_all()
        done += 1
    return done


@contextmanager
def registry_test_mode(env):
    """The cursors the delivery jobs open of their own (to commit each attempt
    before sending) run inside the test's transaction, as in an HttpCase."""
    registry = env.registry
    if registry.test_cr is not None:
        yield
        return
    registry.enter_test_mode(env.cr)
    try:
        yield
    finally:
        registry.leave_test_mode()


def send_due_deliveries(env, limit=None):
    """What the cron and the job runner do: enqueue what is due, run the
    due jobs; how many jobs ran."""
    env["callgest.delivery"].sudo()._cron_enqueue_due()
    with registry_test_mode(env):
        return perform_delivery_jobs(env, limit=limit)


class CallgestMessageCommon(CallgestBaseCommon):
    """A client with recipients on every channel and a local provider server."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Keep the short client timeout the tests set for the local gateway
        (Odoo's test runner raises any timeout below 10 s to 10 s)."""
        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.server = RecordingProviderServer()
        cls.server.__enter__()
        cls.addClassCleanup(cls.server.__exit__, None, None, None)
        params = cls.env["ir.config_parameter"].sudo()
        for key, value in {
            "telegram_base_url": cls.server.url,
            "telegram_bot_token": "42:TEST",
            "sms_url": cls.server.url + "/sms",
            "provider_timeout": "1",
            "max_attempts": "3",
            "retry_minutes": "1",
        }.items():
            params.set_param(f"callgest_message.{key}", value)
        cls.Message = cls.env["callgest.message"]
        cls.Delivery = cls.env["callgest.delivery"]
        cls.Recipient = cls.env["callgest.recipient"]
        cls.category_message = cls.env.ref("callgest_message.category_message")
        cls.category_order = cls.env.ref("callgest_message.category_order")
        cls.boss = cls.Partner.create(
            {
                "name": "Dr. Boss",
                "parent_id": cls.clinic.id,
                "email": "boss@clinic.example.com",
            }
        )
        cls.email_now = cls.Recipient.create(
            {
                "partner_id": cls.clinic.id,
                "contact_id": cls.boss.id,
                "channel": "email",
                "address": "boss@clinic.example.com",
                "lang": "es_ES",
                "mode": "urgent_immediate",
                "digest_times": "13:00, 18:00",
            }
        )
        cls.sms_urgent = cls.Recipient.create(
            {
                "partner_id": cls.clinic.id,
                "channel": "sms",
                "address": "627 561 091",
                "urgency_filter": "urgent",
                "mode": "immediate",
            }
        )
        cls.telegram_orders = cls.Recipient.create(
            {
                "partner_id": cls.clinic.id,
                "channel": "telegram",
                "address": "-1001234567890",
                "category_ids": [(6, 0, cls.category_order.ids)],
                "mode": "immediate",
            }
        )

    def setUp(self):
        super().setUp()
        self.server.reset()

    def take_message(self, **values):
        return self.Message.with_user(self.secretary).create(
            {
                "ddi_id": self.clinic_ddi.id,
                "caller_name": "Joan Garcia",
                "caller_number": "600 123 456",
                "body": "Please call back",
                **values,
            }
        )

    def send_due(self, limit=None):
        """The cron enqueues what is due, the runner runs the jobs due; how
        many jobs ran."""
        return send_due_deliveries(self.env, limit=limit)

    def make_due(self, deliveries):
        """Move deliveries, and their waiting jobs, to now, as if their time
        had come."""
        deliveries.sudo().write({"next_attempt_at": "2000-01-01 00:00:00"})
        for job in delivery_jobs(self.env, due_only=False):
            if set(job.records.ids) & set(deliveries.ids):
                job.eta = False
