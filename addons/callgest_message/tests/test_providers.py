import json

from odoo.tests import BaseCase

from ..tools.providers import DeliveryError, HttpSmsGateway, TelegramBot
from .http_server import RecordingProviderServer


class TestProviders(BaseCase):
    """The provider clients against a real local HTTP server."""

    def test_telegram_send_message(self):
        with RecordingProviderServer() as server:
            bot = TelegramBot("123:ABC", base_url=server.url, timeout=2)
            self.assertEqual(bot.send("-100200300", "Hola ñandú"), "1")
        request = server.requests[0]
        self.assertEqual(request["method"], "POST")
        self.assertEqual(request["path"], "/bot123:ABC/sendMessage")
        self.assertEqual(
            json.loads(request["body"]), {"chat_id": "-100200300", "text": "Hola ñandú"}
        )

    def test_telegram_errors(self):
        with RecordingProviderServer() as server:
            bot = TelegramBot("123:ABC", base_url=server.url, timeout=1)
            server.behaviour = "error"
            with self.assertRaises(DeliveryError) as error:
                bot.send("1", "x")
            self.assertTrue(error.exception.retryable)
            server.behaviour = "refuse"
            with self.assertRaises(DeliveryError) as error:
                bot.send("1", "x")
            self.assertFalse(error.exception.retryable)
            self.assertIn("chat not found", str(error.exception))
            server.behaviour = "drop"
            with self.assertRaises(DeliveryError) as error:
                bot.send("1", "x")
            self.assertTrue(error.exception.retryable)
            self.assertIn("connection failed", str(error.exception))
        with self.assertRaises(DeliveryError) as error:
            TelegramBot("")
        self.assertFalse(error.exception.retryable)

    def test_sms_gateway_json_post_with_bearer(self):
        with RecordingProviderServer() as server:
            gateway = HttpSmsGateway(
                server.url + "/sms",
                auth_type="bearer",
                secret="s3cret",
                sender="CallGest",
                timeout=2,
            )
            self.assertEqual(
                gateway.send("+34600000001", 'Dijo "hola"\nadiós'), "sms-1"
            )
        request = server.requests[0]
        self.assertEqual(request["headers"]["Authorization"], "Bearer s3cret")
        self.assertEqual(
            json.loads(request["body"]),
            {"to": "+34600000001", "text": 'Dijo "hola"\nadiós', "from": "CallGest"},
        )

    def test_sms_gateway_get_with_basic_auth(self):
        with RecordingProviderServer() as server:
            gateway = HttpSmsGateway(
                server.url + "/send?to={to}&msg={text}",
                method="GET",
                auth_type="basic",
                username="user",
                secret="pass",
                timeout=2,
            )
            gateway.send("+34600000001", "a b&c")
        request = server.requests[0]
        self.assertEqual(request["path"], "/send?to=%2B34600000001&msg=a+b%26c")
        self.assertTrue(request["headers"]["Authorization"].startswith("Basic "))

    def test_sms_gateway_failures(self):
        with RecordingProviderServer() as server:
            gateway = HttpSmsGateway(server.url, timeout=1)
            server.behaviour = "error"
            with self.assertRaises(DeliveryError) as error:
                gateway.send("+34600000001", "x")
            self.assertTrue(error.exception.retryable)
            server.behaviour = "drop"
            with self.assertRaises(DeliveryError):
                gateway.send("+34600000001", "x")
        with self.assertRaises(DeliveryError):
            HttpSmsGateway("")
