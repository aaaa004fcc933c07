import re

from markupsafe import Markup
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal

_SEPARATORS = re.compile(r"[,;\n]+")


class CallgestFranchisePortal(CallgestCustomerPortal):
    """A franchise network's franchisees at /my/franchisees: the areas each
    covers and the numbers its calls are put through to, managed by the
    network's authorized contacts who may request changes.

    The portal group only reads areas and transfer numbers, of its own
    network (security/callgest_franchise_security.xml); changes go through
    these routes: the franchisee is searched among the user's networks,
    then written with sudo inside a savepoint and logged in the network's
    chatter as the user."""

    def _callgest_franchise_networks(self):
        return self._callgest_authorized_clients("changes").filtered(
            "callgest_is_franchise_network"
        )

    def _callgest_franchisee_get(self, franchisee_id):
        """The franchisee if it belongs to one of the user's networks, else
        404 (whether it does not exist or is another network's)."""
        networks = self._callgest_franchise_networks()
        franchisee = (
            request.env["res.partner"]
            .sudo()
            .search(
                [
                    ("id", "=", franchisee_id),
                    ("parent_id", "in", networks.ids),
                    ("callgest_is_professional", "=", True),
                ]
            )
        )
        if not franchisee:
            raise NotFound()
        return franchisee

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "callgest_franchisee_count" in counters or not counters:
            networks = self._callgest_franchise_networks()
            values["callgest_franchisee_count"] = (
                str(len(networks.sudo().callgest_professional_ids)) if networks else 0
            )
        return values

    @http.route("/my/franchisees", type="http", auth="user", website=True)
    def portal_my_callgest_franchisees(self, saved=None, **kw):
        networks = self._callgest_franchise_networks()
        if not networks:
            raise NotFound()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_franchisees",
                "networks": networks.sudo(),
                "saved": saved,
            }
        )
        return request.render("callgest_franchise.portal_my_franchisees", values)

    @http.route(
        "/my/franchisees/<int:franchisee_id>", type="http", auth="user", website=True
    )
    def portal_my_callgest_franchisee(self, franchisee_id, **kw):
        franchisee = self._callgest_franchisee_get(franchisee_id)
        form = {
            "areas": ", ".join(franchisee.callgest_franchise_area_ids.mapped("name")),
            "transfers": "\n".join(
                f"{transfer.name}: {transfer.number}"
                if transfer.name
                else transfer.number
                for transfer in franchisee.callgest_franchise_transfer_ids
            ),
            "phone": franchisee.phone or "",
        }
        return self._callgest_franchisee_form(franchisee, form)

    def _callgest_franchisee_form(self, franchisee, form, error=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_franchisee",
                "franchisee": franchisee,
                "form": form,
                "error": error,
            }
        )
        return request.render(
            "callgest_franchise.portal_my_franchisee_form",
            values,
            status=400 if error else 200,
        )

    @staticmethod
    def _callgest_transfer_lines(text):
        """``[(name, number)]`` of "name: number" lines (the name optional)."""
        lines = []
        for line in (text or "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, colon, number = line.rpartition(":")
            if not colon:
                name, number = "", line
            lines.append((name.strip(), number.strip()))
        return lines

    @http.route(
        "/my/franchisees/<int:franchisee_id>/save",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_franchisee_save(self, franchisee_id, **post):
        env = request.env
        franchisee = self._callgest_franchisee_get(franchisee_id)
        form = {
            "areas": (post.get("areas") or "").strip(),
            "transfers": (post.get("transfers") or "").strip(),
            "phone": (post.get("phone") or "").strip(),
        }
        areas = [area.strip() for area in _SEPARATORS.split(form["areas"])]
        areas = [area for area in areas if area]
        transfers = self._callgest_transfer_lines(form["transfers"])
        if not transfers:
            return self._callgest_franchisee_form(
                franchisee,
                form,
                env._("Give at least one number to put the calls through to."),
            )
        before = self._callgest_franchisee_summary(franchisee)
        try:
            # nothing half-saved: the areas, the numbers and the log, or none
            with env.cr.savepoint():
                franchisee.write(
                    {
                        "phone": form["phone"] or False,
                        "callgest_franchise_area_ids": [(5, 0, 0)]
                        + [(0, 0, {"name": area}) for area in areas],
                        "callgest_franchise_transfer_ids": [(5, 0, 0)]
                        + [
                            (
                                0,
                                0,
                                {
                                    "sequence": sequence,
                                    "name": name or False,
                                    "number": number,
                                },
                            )
                            for sequence, (name, number) in enumerate(transfers, 1)
                        ],
                    }
                )
                env.flush_all()
                after = self._callgest_franchisee_summary(franchisee)
                franchisee.parent_id.message_post(
                    body=Markup("<p>%s</p><ul><li>%s → %s</li></ul>")
                    % (
                        env._(
                            "Franchisee %(franchisee)s changed on the portal",
                            franchisee=franchisee.name,
                        ),
                        before,
                        after,
                    ),
                    author_id=env.user.partner_id.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
        except (ValidationError, UserError) as error:
            env.invalidate_all()
            return self._callgest_franchisee_form(franchisee, form, error.args[0])
        return request.redirect("/my/franchisees?saved=1")

    @staticmethod
    def _callgest_franchisee_summary(franchisee):
        areas = ", ".join(franchisee.callgest_franchise_area_ids.mapped("name"))
        numbers = ", ".join(franchisee.callgest_franchise_transfer_ids.mapped("number"))
        return f"{areas or '—'} / {numbers or '—'}"
