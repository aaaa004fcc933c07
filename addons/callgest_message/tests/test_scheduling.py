from datetime import datetime, time, timedelta

from odoo.tests import BaseCase

from ..tools import scheduling


class TestScheduling(BaseCase):
    def test_parse_digest_times(self):
        self.assertEqual(
            scheduling.parse_digest_times("18:00, 13:00;13.00"), [time(13), time(18)]
        )
        for bad in ("", "25:00", "13", "noon", "13:00, x"):
            with self.subTest(text=bad), self.assertRaises(ValueError):
                scheduling.parse_digest_times(bad)

    def test_next_digest_in_the_client_timezone(self):
        times = [time(13), time(18)]
        # 10:00 UTC is 11:00 in Madrid in winter: next is 13:00 Madrid = 12:00 UTC
        self.assertEqual(
            scheduling.next_digest_at(
                datetime(2026, 1, 15, 10, 0), times, "Europe/Madrid"
            ),
            datetime(2026, 1, 15, 12, 0),
        )
        # in summer Madrid is UTC+2: 13:00 Madrid = 11:00 UTC
        self.assertEqual(
            scheduling.next_digest_at(
                datetime(2026, 7, 15, 10, 0), times, "Europe/Madrid"
            ),
            datetime(2026, 7, 15, 11, 0),
        )
        # after the last digest of the day: tomorrow's first
        self.assertEqual(
            scheduling.next_digest_at(
                datetime(2026, 1, 15, 20, 0), times, "Europe/Madrid"
            ),
            datetime(2026, 1, 16, 12, 0),
        )
        # Santiago de Chile (UTC-3 in January)
        self.assertEqual(
            scheduling.next_digest_at(
                datetime(2026, 1, 15, 10, 0), times, "America/Santiago"
            ),
            datetime(2026, 1, 15, 16, 0),
        )

    def test_retry_backoff(self):
        self.assertEqual(scheduling.retry_delay(1), timedelta(minutes=1))
        self.assertEqual(scheduling.retry_delay(2), timedelta(minutes=2))
        self.assertEqual(scheduling.retry_delay(4), timedelta(minutes=8))
        self.assertEqual(scheduling.retry_delay(30), timedelta(minutes=360))
        self.assertEqual(
            scheduling.retry_delay(3, base_minutes=5), timedelta(minutes=20)
        )
