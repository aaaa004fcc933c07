"""Every CallGest route that takes an id, tried by a client's portal user
with the ids of every other client's records: never the record.

The routes are read from Odoo's routing map, so a page added by any
installed CallGest addon is tried without being listed here. Run
``post_install``, it sees every installed addon and their demo data, whose
records all belong to other clients than the one made here, who has none
(``make test`` always loads demo data; the addons' own portal tests try
their routes on data of their own).
"""

import logging
import re

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.base.models.ir_http import ModelConverter, SignedIntConverter

_logger = logging.getLogger(__name__)

# Arguments that number a page of a list, not a record.
PAGE_ARGUMENTS = {"page"}
# The client's own field on the models a portal user may read.
CLIENT_FIELDS = ("partner_id", "client_id", "callgest_client_id")
SAMPLE = 3
# The portal user's own user and company, which he reads as his own.
OWN_IDENTITY = {"res.users", "res.company"}
# Not found, forbidden, or sent elsewhere: never the record, never an error.
REFUSALS = {302, 303, 403, 404}
ID_CONVERTERS = (SignedIntConverter, ModelConverter)
# A route of each CallGest addon that must be found (and so tried) when that
# addon is installed: the routes are discovered, this only checks that the
# discovery sees them.
EXPECTED_ROUTES = {
    "callgest_agenda": "/my/appointments/<int:booking_id>",
    "callgest_billing": "/my/invoices/<int:invoice_id>/call_detail",
    "callgest_message": "/my/recados/<int:message_id>",
    "callgest_protocols": "/my/protocol/<int:client_id>",
}
# A client-scoped model of each addon that the portal must read.
EXPECTED_MODELS = {
    "callgest_agenda": "resource.booking",
    "callgest_billing": "callgest.prepaid.move",
    "callgest_message": "callgest.message",
    "callgest_protocols": "callgest.protocol",
    "callgest_voip": "callgest.call",
}


@tagged("post_install", "-at_install")
class TestPortalIsolation(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_partner = cls.env["res.partner"].create(
            {
                "name": "Isolated Client",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "99871",
                "tz": "Europe/Madrid",
            }
        )
        contact = cls.env["res.partner"].create(
            {"name": "Isolated Manager", "parent_id": cls.client_partner.id}
        )
        cls.env["callgest.authorized.contact"].create(
            {"client_id": cls.client_partner.id, "partner_id": contact.id}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="isolated_portal",
            password="isolated_portal",
            groups="base.group_portal",
            partner_id=contact.id,
        )

    def _installed(self, module):
        return bool(
            self.env["ir.module.module"].search_count(
                [("name", "=", module), ("state", "=", "installed")]
            )
        )

    def _portal_models(self):
        """``{model: client field}``: the models of a CallGest addon (or
        extended by one) that the portal group may read, with a client."""
        accesses = self.env["ir.model.access"].search(
            [
                ("group_id", "=", self.env.ref("base.group_portal").id),
                ("perm_read", "=", True),
            ]
        )
        models = {}
        for model in accesses.model_id:
            model_name = model.model
            if model_name in OWN_IDENTITY or not any(
                module.startswith("callgest_") for module in model.modules.split(", ")
            ):
                continue
            Model = self.env[model_name]
            field = next(
                (
                    name
                    for name in CLIENT_FIELDS
                    if name in Model._fields
                    and Model._fields[name].type == "many2one"
                    and Model._fields[name].comodel_name == "res.partner"
                    and Model._fields[name].store
                ),
                None,
            )
            if field:
                models[model_name] = field
        return models

    def _foreign_ids(self, models):
        ids = set()
        for model_name, field in models.items():
            records = (
                self.env[model_name]
                .sudo()
                .with_context(active_test=False)
                .search([(field, "!=", False)], limit=SAMPLE, order="id desc")
            )
            ids.update(records.ids)
        clients = self.env["res.partner"].search(
            [
                ("is_callgest_client", "=", True),
                ("id", "!=", self.client_partner.id),
            ],
            limit=SAMPLE,
        )
        ids.update(clients.ids)
        return sorted(ids)

    def _callgest_routes(self):
        """``[(rule, methods)]`` of the CallGest http routes with an id."""
        routes = []
        for rule in self.env["ir.http"].routing_map().iter_rules():
            endpoint = rule.endpoint
            module = getattr(endpoint, "original_endpoint", endpoint).__module__
            if not module.startswith("odoo.addons.callgest_"):
                continue
            routing = endpoint.routing
            if routing.get("type") != "http" or routing.get("auth") == "none":
                continue
            id_arguments = {
                name
                for name, converter in rule._converters.items()
                if isinstance(converter, ID_CONVERTERS) and name not in PAGE_ARGUMENTS
            }
            if id_arguments:
                routes.append((rule, routing.get("methods") or ["GET"]))
        return routes

    def _url(self, rule, record_id):
        values = {
            name: record_id if name not in PAGE_ARGUMENTS else 1
            for name in rule.arguments
        }
        for name in rule.arguments:
            if not isinstance(rule._converters[name], ID_CONVERTERS):
                values[name] = "x"
        return rule.build(values, append_unknown=False)[1]

    def test_no_route_shows_another_clients_record(self):
        models = self._portal_models()
        foreign_ids = self._foreign_ids(models)
        routes = self._callgest_routes()
        self.assertTrue(foreign_ids, "records of other clients to try")
        for module, model in EXPECTED_MODELS.items():
            if self._installed(module):
                # the demo data of that addon, always loaded by make test
                self.assertIn(model, models)
                self.assertTrue(
                    self.env[model].sudo().search_count([(models[model], "!=", False)]),
                    f"no {model} of another client to try",
                )
        self.assertLessEqual(
            {
                route
                for module, route in EXPECTED_ROUTES.items()
                if self._installed(module)
            },
            {rule.rule for rule, _methods in routes},
        )
        self.authenticate("isolated_portal", "isolated_portal")
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        csrf_token = re.search(r'csrf_token: "([^"]+)"', home.text).group(1)
        tried = 0
        for rule, methods in routes:
            for record_id in foreign_ids:
                url = self._url(rule, record_id)
                if "GET" in methods:
                    response = self.url_open(url, allow_redirects=False)
                else:
                    response = self.url_open(
                        url, data={"csrf_token": csrf_token}, allow_redirects=False
                    )
                tried += 1
                with self.subTest(url=url):
                    self.assertIn(
                        response.status_code,
                        REFUSALS,
                        f"{url} answered a client with another client's record",
                    )
                    if response.is_redirect:
                        self.assertNotIn(
                            str(record_id),
                            response.headers.get("Location", "").split("?")[0],
                        )
        self.assertGreaterEqual(tried, len(routes))
        _logger.info(
            "%s requests: %s routes with the ids %s of %s",
            tried,
            len(routes),
            foreign_ids,
            sorted(models),
        )

    def test_no_rpc_reads_another_clients_record(self):
        models = self._portal_models()
        self.assertLessEqual(
            {
                model
                for module, model in EXPECTED_MODELS.items()
                if self._installed(module)
            },
            set(models),
        )
        self.authenticate("isolated_portal", "isolated_portal")
        for model_name, field in models.items():
            Model = self.env[model_name].with_user(self.portal_user)
            others = (
                self.env[model_name]
                .sudo()
                .with_context(active_test=False)
                .search([(field, "!=", False)], limit=SAMPLE)
            )
            with self.subTest(model=model_name):
                self.assertFalse(Model.with_context(active_test=False).search([]))
                found = self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": model_name,
                        "method": "search_read",
                        "args": [[]],
                        "kwargs": {"fields": ["id"]},
                    },
                )
                self.assertEqual(found, [])
                if others:
                    with self.assertRaises(JsonRpcException):
                        self.make_jsonrpc_request(
                            "/web/dataset/call_kw",
                            {
                                "model": model_name,
                                "method": "read",
                                "args": [others.ids, ["id"]],
                                "kwargs": {},
                            },
                        )
