"""Visitors asking for quotes at the same moment, on the live server.

The public quote page (callgest_crm_billing) allows a few quotes a day per
email address: requests that arrive together run in their own transactions,
in parallel, and the advisory lock on the email is what keeps them from all
passing the last free place.
"""

import re
import threading
import uuid

import requests

PER_EMAIL = "callgest_crm_billing.public_quotes_per_email"
PER_IP = "callgest_crm_billing.public_quotes_per_ip"
VISITORS = 6
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def set_param(admin, key, value):
    Param = admin.env["ir.config_parameter"]
    previous = Param.get_param(key)
    Param.set_param(key, value)
    return previous


def test_simultaneous_requests_respect_the_limit_per_email(odoo_url, odoorpc_login):
    admin = odoorpc_login("admin", "admin")
    email = f"flood-{uuid.uuid4().hex[:10]}@public.example.com"
    previous = {
        PER_EMAIL: set_param(admin, PER_EMAIL, "3"),
        # every visitor comes from this machine: only the email limit applies
        PER_IP: set_param(admin, PER_IP, "100000"),
    }
    sessions = []
    for _index in range(VISITORS):
        session = requests.Session()
        page = session.get(f"{odoo_url}/callgest/quote", timeout=60)
        assert page.status_code == 200
        sessions.append((session, CSRF.search(page.text).group(1)))
    answers, errors = [None] * VISITORS, []
    barrier = threading.Barrier(VISITORS)

    def ask(index, session, token):
        try:
            barrier.wait(timeout=30)
            answers[index] = session.post(
                f"{odoo_url}/callgest/quote",
                data={
                    "csrf_token": token,
                    "calls_per_day": "10",
                    "average_minutes": "2",
                    "name": f"Visitor {index}",
                    "email": email,
                },
                timeout=120,
            )
        except Exception as error:  # reported below, with the visitor's index
            errors.append((index, repr(error)))

    threads = [
        threading.Thread(target=ask, args=(index, *spec))
        for index, spec in enumerate(sessions)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
    finally:
        for key, value in previous.items():
            set_param(admin, key, value or False)
    assert not errors, errors
    assert all(answer.status_code == 200 for answer in answers)
    accepted = [
        answer for answer in answers if "o_callgest_quote_estimate" in answer.text
    ]
    refused = [
        answer for answer in answers if "already asked for 3 quotes" in answer.text
    ]
    assert (len(accepted), len(refused)) == (3, VISITORS - 3)
    leads = admin.env["crm.lead"].search_count([("email_from", "=", email)])
    quotes = admin.env["callgest.quote"].search_count([("request_email", "=", email)])
    assert (leads, quotes) == (3, 3)
