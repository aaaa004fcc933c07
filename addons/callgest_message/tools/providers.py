"""HTTP clients of the SMS and Telegram providers. No ORM here.

Each ``send`` returns the provider's message id (or ``None`` when the provider
gives none) and raises :class:`DeliveryError` otherwise, telling whether a
retry may succeed (timeouts, 5xx, 429) or not (a refused recipient), and
whether the provider may have sent the message all the same (``in_doubt``: the
request went out and no answer came back, a timeout or a dropped connection).
"""

import json
from urllib.parse import quote_plus

import requests
from urllib3.exceptions import ConnectTimeoutError

IDEMPOTENCY_HEADER = "Idempotency-Key"


class DeliveryError(Exception):
    def __init__(self, message, retryable=True, in_doubt=False):
        super().__init__(message)
        self.retryable = retryable
        self.in_doubt = in_doubt


def _nothing_sent(error):
    """Whether a failed request surely never reached the provider: the
    connection could not be opened (refused, unknown host, connect timeout,
    TLS handshake), so the provider cannot have acted on it."""
    if isinstance(error, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    if isinstance(error, requests.ConnectionError):
        reason = error.args[0] if error.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError
        # NewConnectionError (refused, DNS) is a ConnectTimeoutError
        return isinstance(reason, ConnectTimeoutError)
    return not isinstance(error, requests.RequestException)


def _retryable_status(status):
    return status >= 500 or status in (408, 429)


def _post(url, timeout, **kwargs):
    try:
        return requests.request(
            kwargs.pop("method", "POST"), url, timeout=timeout, **kwargs
        )
    except requests.Timeout as error:
        raise DeliveryError(
            f"timeout after {timeout}s: {error}", in_doubt=not _nothing_sent(error)
        ) from error
    except requests.RequestException as error:
        raise DeliveryError(
            f"connection failed: {error}", in_doubt=not _nothing_sent(error)
        ) from error


class TelegramBot:
    """The Telegram Bot API's ``sendMessage``.

    The Bot API takes no idempotency key: a request that timed out may have
    been delivered, and sending it again may deliver it twice.
    """

    deduplicates = False

    def __init__(self, token, base_url="https://api.telegram.org", timeout=10):
        if not token:
            raise DeliveryError("no Telegram bot token configured", retryable=False)
        self.url = f"{base_url.rstrip('/')}/bot{token}/sendMessage"
        self.timeout = timeout

    def send(self, chat_id, text):
        response = _post(
            self.url, self.timeout, json={"chat_id": chat_id, "text": text}
        )
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code == 200 and payload.get("ok"):
            return str(payload.get("result", {}).get("message_id") or "") or None
        description = payload.get("description") or response.text[:200]
        raise DeliveryError(
            f"Telegram answered {response.status_code}: {description}",
            retryable=_retryable_status(response.status_code),
        )


class HttpSmsGateway:
    """A generic HTTP SMS gateway: URL, method, authentication, body template.

    The body template (POST) or the URL (GET) holds ``{to}``, ``{text}`` and
    ``{sender}``, and may hold ``{key}``. A JSON template gets JSON-escaped
    values, a form template URL-encoded ones.

    Every request carries the delivery's idempotency key in the
    ``Idempotency-Key`` header (and in ``{key}`` where the template has it):
    the same key on a retry means the same SMS, which the gateway must send
    once (see readme/USAGE.md).
    """

    deduplicates = True

    def __init__(
        self,
        url,
        method="POST",
        body_template='{"to": "{to}", "text": "{text}", "from": "{sender}"}',
        content_type="application/json",
        auth_type="none",
        username="",
        secret="",
        sender="",
        timeout=10,
    ):
        if not url:
            raise DeliveryError("no SMS gateway URL configured", retryable=False)
        self.url = url
        self.method = (method or "POST").upper()
        self.body_template = body_template or ""
        self.content_type = content_type or "application/json"
        self.auth_type = auth_type or "none"
        self.username = username or ""
        self.secret = secret or ""
        self.sender = sender or ""
        self.timeout = timeout

    def _fill(self, template, to, text, escape, key=""):
        values = {"to": to, "text": text, "sender": self.sender, "key": key}
        for key, value in values.items():
            template = template.replace("{" + key + "}", escape(value))
        return template

    def send(self, to, text, idempotency_key=""):
        kwargs = {"method": self.method, "headers": {}}
        key = idempotency_key or ""
        if key:
            kwargs["headers"][IDEMPOTENCY_HEADER] = key
        if self.auth_type == "basic":
            kwargs["auth"] = (self.username, self.secret)
        elif self.auth_type == "bearer":
            kwargs["headers"]["Authorization"] = f"Bearer {self.secret}"
        if self.method == "GET":
            url = self._fill(self.url, to, text, quote_plus, key)
        else:
            url = self.url
            if "json" in self.content_type:
                escape = lambda value: json.dumps(value)[1:-1]  # noqa: E731
            else:
                escape = quote_plus
            kwargs["data"] = self._fill(
                self.body_template, to, text, escape, key
            ).encode()
            kwargs["headers"]["Content-Type"] = self.content_type
        response = _post(url, self.timeout, **kwargs)
        if not 200 <= response.status_code < 300:
            raise DeliveryError(
                f"SMS gateway answered {response.status_code}: {response.text[:200]}",
                retryable=_retryable_status(response.status_code),
            )
        try:
            payload = response.json()
        except ValueError:
            return None
        if isinstance(payload, dict):
            for key in ("message_id", "id", "sid", "messageId"):
                if payload.get(key):
                    return str(payload[key])
        return None
