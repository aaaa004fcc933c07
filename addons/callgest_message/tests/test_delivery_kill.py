"""Odoo killed while the gateway holds its answer: still one SMS.

A second OS process (delivery_worker.py) runs the delivery's job as
queue_job's controller does, on data committed to the test database, and is
SIGKILLed while the local gateway holds its answer. Then the normal path
runs again, as queue_job's runner does it: the dead job is requeued, enqueued
and run. The data is committed (another process must see it) and removed at
the end; it needs no job runner on the database (stage 1 of `make test` and
`--stop-after-init` have none: queue_job's runner class refuses to start a
second one).
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.jobrunner.runner import Database

from .http_server import RecordingProviderServer

WORKER = Path(__file__).with_name("delivery_worker.py")
PARAMS = ("sms_url", "telegram_base_url", "telegram_bot_token", "provider_timeout")


@tagged("post_install", "-at_install")
class TestDeliveryKill(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.gateway = RecordingProviderServer()
        cls.gateway.__enter__()
        cls.addClassCleanup(cls.gateway.__exit__, None, None, None)
        with cls.committed() as env:
            params = env["ir.config_parameter"]
            cls.saved_params = {
                key: params.get_param(f"callgest_message.{key}") for key in PARAMS
            }
            for key, value in {
                "sms_url": cls.gateway.url + "/sms",
                "telegram_base_url": cls.gateway.url,
                "telegram_bot_token": "42:KILL",
                "provider_timeout": "30",
            }.items():
                params.set_param(f"callgest_message.{key}", value)
            cls.client = (
                env["res.partner"]
                .create(
                    {
                        "name": "Kill Test Clinic",
                        "is_company": True,
                        "is_callgest_client": True,
                        "country_id": env.ref("base.es").id,
                        "tz": "Europe/Madrid",
                    }
                )
                .id
            )
        cls.addClassCleanup(cls.remove_data)

    @classmethod
    @contextmanager
    def committed(cls):
        """An environment whose work is committed (seen by other processes)."""
        with cls.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    @classmethod
    def remove_data(cls):
        with cls.committed() as env:
            deliveries = env["callgest.delivery"].search(
                [("partner_id", "=", cls.client)]
            )
            env["queue.job"].search(
                [("model_name", "=", "callgest.delivery")]
            ).filtered(lambda job: set(job.records.ids) & set(deliveries.ids)).unlink()
            events = env["callgest.billable.event"].search(
                [("partner_id", "=", cls.client)]
            )
            recipients = deliveries.recipient_id
            env["callgest.message"].search([("partner_id", "=", cls.client)]).unlink()
            deliveries.exists().unlink()
            _unlink_with_referrers(events)
            recipients.unlink()
            env["callgest.ddi"].search([("partner_id", "=", cls.client)]).unlink()
            env["res.partner"].browse(cls.client).unlink()
            for key, value in cls.saved_params.items():
                env["ir.config_parameter"].set_param(
                    f"callgest_message.{key}", value or False
                )

    def setUp(self):
        super().setUp()
        self.gateway.reset("hold")

    def queue_report(self, channel, address):
        """A report to a new recipient, enqueued as a job; (delivery, job uuid)."""
        with self.committed() as env:
            recipient = env["callgest.recipient"].create(
                {"partner_id": self.client, "channel": channel, "address": address}
            )
            delivery = env["callgest.delivery"].create(
                {
                    "kind": "report",
                    "subject": "Missed calls",
                    "body_html": "<p>3 missed calls</p>",
                    **recipient._delivery_schedule_vals(urgent=False),
                }
            )
            delivery._enqueue_immediate()
            job = env["queue.job"].search(
                [("model_name", "=", "callgest.delivery")], order="id desc", limit=1
            )
            self.assertEqual(job.records, delivery)
            return delivery.id, job.uuid

    def spawn(self, action, target):
        """A delivery_worker.py process on this database."""
        options = [
            "--addons-path",
            config["addons_path"],
            "-d",
            get_db_name(),
            "--log-level",
            "warn",
        ]
        for option, key in (
            ("--db_host", "db_host"),
            ("--db_port", "db_port"),
            ("--db_user", "db_user"),
            ("--db_password", "db_password"),
            ("--data-dir", "data_dir"),
        ):
            if config[key]:
                options += [option, str(config[key])]
        environ = dict(
            os.environ, PYTHONPATH=str(Path(odoo.__file__).resolve().parent.parent)
        )
        worker = subprocess.Popen(  # noqa: S603 - our own script, our arguments
            [sys.executable, str(WORKER), action, str(target), *options],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(worker.stdout.close)
        self.addCleanup(lambda: worker.poll() is None and worker.kill())
        return worker

    def output(self, worker):
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=30)
        return worker.stdout.read().decode()[-3000:]

    def start_worker(self, job_uuid):
        """The runner's part (the job enqueued), then the controller's in a
        process of its own, until the gateway got the message."""
        runner_db = Database(get_db_name())
        try:
            runner_db.set_job_enqueued(job_uuid)
        finally:
            runner_db.close()
        worker = self.spawn("job", job_uuid)
        try:
            self.gateway.wait_received(timeout=90)
        except AssertionError:
            raise AssertionError(self.output(worker)) from None
        return worker

    def kill(self, worker):
        worker.send_signal(signal.SIGKILL)
        self.assertEqual(worker.wait(timeout=30), -signal.SIGKILL)

    def run_job_again(self, job_uuid):
        """What the runner does with a job whose worker died: requeue it
        (once it has been enqueued 10 s, here backdated), enqueue it, and a
        worker runs it through the controller."""
        with self.committed() as env:
            env.cr.execute(
                "UPDATE queue_job SET date_enqueued = date_enqueued - interval '11 s'"
                " WHERE uuid = %s",
                [job_uuid],
            )
        runner_db = Database(get_db_name())
        try:
            runner_db.requeue_dead_jobs()
            runner_db.set_job_enqueued(job_uuid)
        finally:
            runner_db.close()
        with self.committed() as env:
            job = RunJobController._acquire_job(env, job_uuid)
            self.assertTrue(job, "the dead job was requeued")
            RunJobController._runjob(env, job)

    def read_delivery(self, delivery_id):
        with self.committed() as env:
            delivery = env["callgest.delivery"].browse(delivery_id)
            return delivery.read(["state", "attempts", "send_key", "last_error"])[0]

    def test_sms_killed_while_the_gateway_holds_its_answer_is_sent_once(self):
        """(b) The gateway got the SMS and holds its answer; the process
        sending it is killed. The attempt was committed before sending, so
        the rerun knows it may have gone out and sends it again with the same
        key: the gateway sends one SMS."""
        delivery_id, job_uuid = self.queue_report("sms", "+34627561091")
        worker = self.start_worker(job_uuid)
        sending = self.read_delivery(delivery_id)
        self.assertEqual(sending["state"], "sending", "committed before sending")
        self.assertEqual(sending["attempts"], 1)
        # meanwhile another worker runs the same job (at least once): on its
        # own database connection it finds the group being sent, sends nothing
        with self.committed() as env:
            result = env["callgest.delivery"].browse(delivery_id)._send_job()
        self.assertEqual(result, "another worker is sending this group now")
        self.assertEqual(len(self.gateway.requests), 1)
        self.kill(worker)
        self.gateway.behaviour = "ok"
        self.gateway.release()
        self.run_job_again(job_uuid)
        sent = self.read_delivery(delivery_id)
        self.assertEqual(sent["state"], "sent")
        self.assertEqual(sent["attempts"], 2)
        keys = [r["headers"]["Idempotency-Key"] for r in self.gateway.requests]
        self.assertEqual(keys, [sent["send_key"]] * 2, "the same key twice")
        self.assertEqual(len(self.gateway.delivered), 1, "one SMS")
        with self.committed() as env:
            job = env["queue.job"].search([("uuid", "=", job_uuid)])
            self.assertEqual(job.state, "done")
            self.assertEqual(job.retry, 2, "run twice")
            delivery = env["callgest.delivery"].browse(delivery_id)
            self.assertEqual(len(delivery.billable_event_id), 1, "billed once")

    def test_telegram_killed_while_sending_is_in_doubt_not_resent(self):
        """Telegram cannot deduplicate: the rerun flags it, sends nothing."""
        delivery_id, job_uuid = self.queue_report("telegram", "-1001234567890")
        worker = self.start_worker(job_uuid)
        self.kill(worker)
        self.gateway.behaviour = "ok"
        self.gateway.release()
        self.run_job_again(job_uuid)
        flagged = self.read_delivery(delivery_id)
        self.assertEqual(flagged["state"], "in_doubt")
        self.assertIn("interrupted", flagged["last_error"])
        self.assertEqual(len(self.gateway.requests), 1, "not sent again")

    def test_two_outcomes_of_one_recado_at_once_deliver_it(self):
        """Two jobs record the outcomes of a recado's two deliveries at the
        same moment, on two connections of another process (threads of the
        test server would wait for the registry lock it holds): each reads
        the recado's deliveries before the other commits, yet the recado
        ends delivered (the second is serialized after the first and run
        again, so it reads the first one's outcome)."""
        with self.committed() as env:
            ddi = env["callgest.ddi"].create(
                {
                    "number_entered": "93 390 67 91",
                    "country_id": env.ref("base.es").id,
                    "partner_id": self.client,
                    "state": "active",
                }
            )
            message = env["callgest.message"].create(
                {"ddi_id": ddi.id, "caller_name": "Two", "body": "at once"}
            )
            message.state = "to_deliver"
            recipients = env["callgest.recipient"].create(
                [
                    {"partner_id": self.client, "channel": "sms", "address": number}
                    for number in ("+34627561093", "+34627561094")
                ]
            )
            deliveries = env["callgest.delivery"].create(
                [
                    {"message_id": message.id, **r._delivery_schedule_vals(True)}
                    for r in recipients
                ]
            )
            message_id, delivery_ids = message.id, deliveries.ids
        for delivery_id in delivery_ids:
            with self.committed() as env:
                delivery = env["callgest.delivery"].browse(delivery_id)
                self.assertIsNone(delivery._begin_attempt())
        # a third connection holds the recado's row: both outcome
        # transactions start, read the deliveries, and wait for it
        with self.registry.cursor() as blocker:  # committed at the end
            blocker.execute(
                "UPDATE callgest_message SET state = state WHERE id = %s",
                [message_id],
            )
            worker = self.spawn("sent", ",".join(map(str, delivery_ids)))
            deadline = time.monotonic() + 90
            while self.waiting_on_locks(blocker) < 2:
                if worker.poll() is not None:
                    self.fail(self.output(worker))
                self.assertLess(time.monotonic(), deadline, "they never waited")
                time.sleep(0.1)
        self.assertEqual(worker.wait(timeout=60), 0, self.output(worker))
        with self.committed() as env:
            message = env["callgest.message"].browse(message_id)
            self.assertEqual(message.delivery_ids.mapped("state"), ["sent", "sent"])
            self.assertEqual(message.state, "delivered")

    @staticmethod
    def waiting_on_locks(cr):
        cr.execute("SELECT pg_stat_clear_snapshot()")  # fresh in a transaction
        cr.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cr.fetchone()[0]


def _unlink_with_referrers(records):
    """Unlink ``records`` and, first, what other installed addons attached to
    them (e.g. callgest_billing's usage lines of the billable events)."""
    fields = records.env["ir.model.fields"].search(
        [
            ("relation", "=", records._name),
            ("ttype", "=", "many2one"),
            ("store", "=", True),
        ]
    )
    for field in fields:
        model = records.env[field.model].with_context(active_test=False)
        if not model._abstract and model._auto:
            model.search([(field.name, "in", records.ids)]).unlink()
    records.unlink()
