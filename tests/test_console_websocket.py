"""The call console pops up through the websocket, as in production.

`make test` serves this suite from Odoo in prefork mode (two workers, the bus
on its own gevent port, CALLGEST_TEST_WS_URL): the secretary's browser holds
a websocket; the PBX's screen-pop RPC names her; the notification reaches her
through the gevent process, not the worker that answered the RPC.
"""

import json
import os
import time
import uuid
import xmlrpc.client

import requests
import websocket

CLINIC_DDI = "0034933906701"
# generous: a worker loads the registry at its first request
TIMEOUT = 120


def secretary_session(odoo_url, odoo_db):
    session = requests.Session()
    response = session.post(
        f"{odoo_url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": odoo_db, "login": "secretaria", "password": "secretaria"},
        },
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    assert response.json()["result"]["uid"], "the demo secretary logs in"
    return session.cookies["session_id"]


def test_the_pbx_pops_the_console_through_the_websocket(odoo_url, odoo_db):
    ws_url = os.environ.get("CALLGEST_TEST_WS_URL")
    assert ws_url, "make test serves this suite with workers and a gevent port"
    session_id = secretary_session(odoo_url, odoo_db)
    socket = websocket.create_connection(
        ws_url, cookie=f"session_id={session_id}", origin=odoo_url, timeout=TIMEOUT
    )
    try:
        socket.send(
            json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}})
        )
        caller = f"+346{uuid.uuid4().int % 10**8:08d}"
        common = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/common")
        uid = common.authenticate(odoo_db, "pbx", "pbx", {})
        models = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/object")
        answer = models.execute_kw(
            odoo_db,
            uid,
            "pbx",
            "callgest.protocol",
            "lookup",
            [CLINIC_DDI, caller],
            {"agent_login": "secretaria"},
        )
        assert answer["client"] == "Clínica Dental Diagonal"
        deadline = time.monotonic() + TIMEOUT
        popped = None
        while popped is None and time.monotonic() < deadline:
            for notification in json.loads(socket.recv()):
                message = notification["message"]
                if (
                    message["type"] == "callgest_console/incoming_call"
                    and message["payload"]["caller_number"] == caller
                ):
                    popped = message["payload"]
        assert popped == {"ddi_number": CLINIC_DDI, "caller_number": caller}
    finally:
        socket.close()
