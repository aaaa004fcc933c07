from markupsafe import Markup
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal

# the fields of a recipient the portal form edits, in the order of the log
RECIPIENT_FIELDS = (
    "name",
    "channel",
    "address",
    "lang",
    "mode",
    "digest_times",
    "urgency_filter",
    "category_ids",
)


class CallgestRecipientPortal(CallgestCustomerPortal):
    """The notification recipients of a client at /my/recipients, managed
    by its authorized contacts (any active authorization of the user: who
    may request changes or who receives the notifications).

    Least privilege: the portal group may only READ callgest.recipient, and
    only the recipients of the clients the user is an authorized contact of
    (security/callgest_message_recipient_portal_rules.xml); it has no
    write, create or unlink right, so no RPC call can change a recipient.
    Changes go through these routes only: the recipient is first searched
    as the user (the ir.rule) among the clients he is authorized for (the
    authorization), then written with sudo, inside a savepoint, and logged
    in the client's chatter as the user's partner."""

    # ------------------------------------------------------------------
    # Who may manage what
    # ------------------------------------------------------------------
    def _callgest_recipient_clients(self):
        """The clients whose recipients the user manages."""
        return self._callgest_authorized_clients(
            "changes"
        ) | self._callgest_authorized_clients("notifications")

    def _callgest_recipient_get(self, recipient_id):
        """The recipient ``recipient_id`` if the user manages its client,
        else 404 (whether it does not exist or is another client's)."""
        clients = self._callgest_recipient_clients()
        recipient = request.env["callgest.recipient"].search(
            [("id", "=", recipient_id), ("partner_id", "in", clients.ids)]
        )
        if not recipient:
            raise NotFound()
        return recipient

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        # asked by the home's counters (whether the card shows), and when the
        # home is rendered (no counters), for the card's text: Odoo 18 shows
        # no counter in a card
        if "callgest_recipient_count" in counters or not counters:
            clients = self._callgest_recipient_clients()
            # the card shows for whoever manages a client, even with no
            # recipient yet (a string "0": Odoo hides the cards counting 0)
            values["callgest_recipient_count"] = (
                str(
                    request.env["callgest.recipient"].search_count(
                        [("partner_id", "in", clients.ids)]
                    )
                )
                if clients
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    @http.route("/my/recipients", type="http", auth="user", website=True)
    def portal_my_callgest_recipients(self, **kw):
        clients = self._callgest_recipient_clients()
        if not clients:
            raise NotFound()
        recipients = request.env["callgest.recipient"].search(
            [("partner_id", "in", clients.ids)]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_recipients",
                "clients": clients,
                "recipients": recipients,
                "labels": self._callgest_recipient_labels(),
                "saved": kw.get("saved"),
            }
        )
        return request.render("callgest_message.portal_my_callgest_recipients", values)

    @http.route("/my/recipients/new", type="http", auth="user", website=True)
    def portal_my_callgest_recipient_new(self, **kw):
        clients = self._callgest_recipient_clients()
        if not clients:
            raise NotFound()
        client = clients[:1]
        if kw.get("client_id"):
            client = clients.filtered(lambda c: str(c.id) == kw["client_id"])
            if not client:
                raise NotFound()
        form = {
            "client_id": client.id,
            "name": "",
            "channel": "email",
            "address": "",
            "lang": request.env.lang or "en_US",
            "mode": "immediate",
            "digest_times": "13:00, 18:00",
            "urgency_filter": "all",
            "category_ids": [],
        }
        return self._callgest_recipient_form(clients, None, form)

    @http.route(
        "/my/recipients/<int:recipient_id>", type="http", auth="user", website=True
    )
    def portal_my_callgest_recipient_edit(self, recipient_id, **kw):
        recipient = self._callgest_recipient_get(recipient_id)
        form = {
            "client_id": recipient.partner_id.id,
            "name": recipient.name,
            "channel": recipient.channel,
            "address": recipient.address,
            "lang": recipient.lang,
            "mode": recipient.mode,
            "digest_times": recipient.digest_times or "",
            "urgency_filter": recipient.urgency_filter,
            "category_ids": recipient.sudo().category_ids.ids,
        }
        return self._callgest_recipient_form(
            self._callgest_recipient_clients(), recipient, form
        )

    def _callgest_recipient_form(self, clients, recipient, form, error=None):
        values = self._prepare_portal_layout_values()
        Recipient = request.env["callgest.recipient"]
        values.update(
            {
                "page_name": "callgest_recipient",
                "clients": clients,
                "recipient": recipient,
                "form": form,
                "error": error,
                "selections": {
                    name: Recipient._fields[name]._description_selection(request.env)
                    for name in ("channel", "mode", "urgency_filter")
                },
                "languages": request.env["res.lang"].get_installed(),
                "categories": request.env["callgest.message.category"]
                .sudo()
                .search([]),
            }
        )
        return request.render(
            "callgest_message.portal_my_callgest_recipient_form",
            values,
            status=400 if error else 200,
        )

    # ------------------------------------------------------------------
    # Changes (POST, with the CSRF token of the form)
    # ------------------------------------------------------------------
    def _callgest_recipient_vals(self, post):
        """``(vals, form, error)``: the values typed in the form (``form``,
        to show them again), checked against what the form offers (a forged
        value is refused with a message ``error``, like a wrong address);
        the address and digest times are validated by the model."""
        env = request.env
        Recipient = env["callgest.recipient"]
        form = {
            "client_id": int(post.get("client_id") or 0)
            if (post.get("client_id") or "").isdigit()
            else 0,
            "name": (post.get("name") or "").strip(),
            "channel": post.get("channel") or "",
            "address": (post.get("address") or "").strip(),
            "lang": post.get("lang") or "",
            "mode": post.get("mode") or "",
            "digest_times": (post.get("digest_times") or "").strip(),
            "urgency_filter": post.get("urgency_filter") or "",
            "category_ids": [
                int(value)
                for value in request.httprequest.form.getlist("category_ids")
                if value.isdigit()
            ],
        }
        for name in ("channel", "mode", "urgency_filter"):
            field = Recipient._fields[name]
            if form[name] not in dict(field._description_selection(env)):
                return (
                    None,
                    form,
                    env._(
                        "Choose a value for %(field)s.",
                        field=field._description_string(env),
                    ),
                )
        if form["lang"] not in dict(env["res.lang"].get_installed()):
            return None, form, env._("Choose a language.")
        categories = (
            env["callgest.message.category"]
            .sudo()
            .browse(form["category_ids"])
            .exists()
        )
        if len(categories) != len(set(form["category_ids"])):
            return None, form, env._("Choose among the categories offered.")
        vals = {
            "channel": form["channel"],
            "address": form["address"],
            "lang": form["lang"],
            "mode": form["mode"],
            "digest_times": form["digest_times"],
            "urgency_filter": form["urgency_filter"],
            "category_ids": [(6, 0, categories.ids)],
        }
        if form["name"]:
            vals["name"] = form["name"]
        return vals, form, None

    def _callgest_recipient_describe(self, recipient):
        """``{field: shown value}`` of a recipient, in the user's language."""
        env = request.env
        recipient = recipient.sudo().with_context(lang=env.lang)
        described = {}
        for name in RECIPIENT_FIELDS:
            field = recipient._fields[name]
            value = recipient[name]
            if field.type == "selection":
                value = dict(field._description_selection(env)).get(value, value)
            elif field.type == "many2many":
                value = ", ".join(value.mapped("name")) or env._("All")
            described[name] = value or ""
        if recipient.mode == "immediate":
            described["digest_times"] = ""
        return described

    def _callgest_recipient_log(self, client, title, recipient, before=None):
        """Post in the client's chatter what the user did, as his partner:
        every value of an added or removed recipient, what changed of an
        edited one."""
        env = request.env
        after = self._callgest_recipient_describe(recipient)
        rows = []
        for name in RECIPIENT_FIELDS:
            label = recipient._fields[name]._description_string(env)
            if before is None:
                if after[name]:
                    rows.append(Markup("<li>%s: %s</li>") % (label, after[name]))
            elif before[name] != after[name]:
                rows.append(
                    Markup("<li>%s: %s → %s</li>")
                    % (label, before[name] or "—", after[name] or "—")
                )
        body = Markup("<p>%s</p><ul>%s</ul>") % (title, Markup().join(rows))
        client.sudo().message_post(
            body=body,
            author_id=env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    @http.route(
        "/my/recipients/save",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_recipient_save(self, recipient_id=None, **post):
        env = request.env
        clients = self._callgest_recipient_clients()
        if not clients:
            raise NotFound()
        recipient = None
        if recipient_id:
            if not str(recipient_id).isdigit():
                raise NotFound()
            recipient = self._callgest_recipient_get(int(recipient_id))
        vals, form, error = self._callgest_recipient_vals(post)
        if error:
            return self._callgest_recipient_form(clients, recipient, form, error)
        client = (
            recipient.partner_id
            if recipient
            else clients.filtered(lambda c: c.id == form["client_id"])
        )
        if not client:
            raise NotFound()
        form["client_id"] = client.id
        try:
            # nothing half-saved: the recipient and its log, or neither
            with env.cr.savepoint():
                if recipient:
                    before = self._callgest_recipient_describe(recipient)
                    recipient.sudo().write(vals)
                    self._callgest_recipient_log(
                        client,
                        env._("Notification recipient changed on the portal"),
                        recipient,
                        before,
                    )
                else:
                    recipient = (
                        env["callgest.recipient"]
                        .sudo()
                        .create(dict(vals, partner_id=client.id))
                    )
                    self._callgest_recipient_log(
                        client,
                        env._("Notification recipient added on the portal"),
                        recipient,
                    )
                env.flush_all()
        except ValidationError as error:
            env.invalidate_all()
            recipient = (
                self._callgest_recipient_get(int(recipient_id))
                if (recipient_id)
                else None
            )
            return self._callgest_recipient_form(
                clients, recipient, form, error=error.args[0]
            )
        return request.redirect("/my/recipients?saved=1")

    @http.route(
        "/my/recipients/<int:recipient_id>/remove",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_recipient_remove(self, recipient_id, **post):
        env = request.env
        recipient = self._callgest_recipient_get(recipient_id)
        with env.cr.savepoint():
            recipient.sudo().active = False
            self._callgest_recipient_log(
                recipient.partner_id,
                env._("Notification recipient removed on the portal"),
                recipient,
            )
        return request.redirect("/my/recipients?saved=1")

    def _callgest_recipient_labels(self):
        """The shown values of the selections, for the list."""
        env = request.env
        Recipient = env["callgest.recipient"]
        return {
            name: dict(Recipient._fields[name]._description_selection(env))
            for name in ("channel", "mode", "urgency_filter")
        }
