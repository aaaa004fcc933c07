"""Bad input over XML-RPC, as a PBX script sends it, with the demo PBX user.

Every RPC method the PBX calls answers a wrong argument with a clean
UserError (XML-RPC fault code 2, the message in the user's language, no
traceback), and its answers marshal over XML-RPC (no ``None``).
"""

import base64
import xmlrpc.client

import pytest

CLINIC_DDI = "0034933906701"
USER_ERROR = 2  # odoo.addons.base.controllers.rpc.RPC_FAULT_CODE_WARNING


@pytest.fixture
def pbx(odoo_url, odoo_db):
    common = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/common", allow_none=False)
    uid = common.authenticate(odoo_db, "pbx", "pbx", {})
    assert uid, "the demo PBX user logs in"
    # sends None as <nil/>; Odoo marshals its answers without None, so an
    # answer holding None fails on the server, not here
    models = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(odoo_db, uid, "pbx", model, method, list(args), kwargs)

    return call


def assert_user_error(fault_info, *fragments):
    fault = fault_info.value
    assert fault.faultCode == USER_ERROR, fault.faultString
    assert "Traceback" not in fault.faultString
    for fragment in fragments:
        assert fragment in fault.faultString


@pytest.mark.parametrize(
    "args, kwargs, fragment",
    [
        ((933906701,), {}, "raw_number must be given as text"),
        ((None,), {}, "raw_number must be given as text"),
        ((["933906701"],), {}, "raw_number must be given as text"),
    ],
)
def test_resolve_number_bad_input(pbx, args, kwargs, fragment):
    with pytest.raises(xmlrpc.client.Fault) as fault_info:
        pbx("callgest.ddi", "resolve_number", *args, **kwargs)
    assert_user_error(fault_info, fragment)


@pytest.mark.parametrize(
    "args, kwargs, fragment",
    [
        ((["9339"],), {}, "ddi_number must be given as text"),
        ((CLINIC_DDI, 600100200), {}, "caller_number must be given as text"),
        (
            (CLINIC_DDI,),
            {"agent_login": ["admin"]},
            "agent_login must be given as text",
        ),
        ((CLINIC_DDI,), {"agent_login": "nobody-here"}, "not a CallGest secretary"),
        ((CLINIC_DDI,), {"agent_login": "contable"}, "not a CallGest secretary"),
    ],
)
def test_lookup_bad_input(pbx, args, kwargs, fragment):
    with pytest.raises(xmlrpc.client.Fault) as fault_info:
        pbx("callgest.protocol", "lookup", *args, **kwargs)
    assert_user_error(fault_info, fragment)
    assert "nobody-here" not in fault_info.value.faultString


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"file_kind": ["cdr"]}, "file_kind must be one of"),
        ({"first_line": "abc"}, "first_line must be a whole number"),
    ],
)
def test_push_cdr_bad_input(pbx, kwargs, fragment):
    content = base64.b64encode(b"").decode()
    with pytest.raises(xmlrpc.client.Fault) as fault_info:
        pbx("callgest.cdr.batch", "push_cdr", "main", "Master.csv", content, **kwargs)
    assert_user_error(fault_info, fragment)


def test_answers_marshal_and_read_nothing_else(pbx):
    resolved = pbx("callgest.ddi", "resolve_number", CLINIC_DDI)
    assert resolved["client_name"] == "Clínica Dental Diagonal"
    unknown = pbx("callgest.ddi", "resolve_number", "+34999999999")
    assert unknown["ddi_id"] is False
    popped = pbx("callgest.protocol", "lookup", CLINIC_DDI, "600 999 000")
    assert popped["client"] == "Clínica Dental Diagonal"
    # the PBX user reads no partner, protocol or DDI model-wide
    for model in ("res.partner", "callgest.protocol.version", "callgest.ddi"):
        with pytest.raises(xmlrpc.client.Fault) as fault_info:
            pbx(model, "search_read", [], fields=["display_name"], limit=1)
        assert fault_info.value.faultCode == 4  # AccessError
