from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

# The public form's number fields: (field of callgest.quote, its default,
# how many seconds one unit of the form is)
NUMBER_FIELDS = {
    "calls_per_day": ("calls_per_day", "", 1),
    "average_minutes": ("average_seconds", "2", 60),
    "out_of_hours_percent": ("out_of_hours_percent", "0", 1),
    "messages_per_day": ("messages_per_day", "0", 1),
    "transfers_per_day": ("transfers_per_day", "0", 1),
    "average_transfer_minutes": ("average_transfer_seconds", "0", 60),
    "ddis": ("ddis", "1", 1),
    "professionals": ("professionals", "1", 1),
    "agenda_modules": ("agenda_modules", "0", 1),
}
WHOLE_FIELDS = ("ddis", "professionals", "agenda_modules")
CHOICES = {
    "service_level": ("level_1", "level_2"),
    "out_of_hours": ("robot", "voicemail"),
    "transfer_destination": ("fixed", "mobile"),
}
CONTACT_FIELDS = ("name", "company", "email", "phone")


class CallgestQuotePage(http.Controller):
    """ "¿Cuánto nos costará?": a prospect's estimate at once, on the
    provider's site, without a login; the quote comes with a lead."""

    def _render(self, values=None, error=None):
        return request.render(
            "callgest_crm_billing.public_quote_form",
            {"values": values or {}, "error": error},
        )

    def _profile(self, post):
        """The form's figures as the quote's fields, or a UserError naming
        the figure that is not a number."""
        env = request.env
        labels = {
            "calls_per_day": env._("Calls a day"),
            "average_minutes": env._("Minutes a call"),
            "out_of_hours_percent": env._("Calls out of hours (%)"),
            "messages_per_day": env._("Messages a day"),
            "transfers_per_day": env._("Transfers a day"),
            "average_transfer_minutes": env._("Minutes a transfer"),
            "ddis": env._("Numbers (DDIs)"),
            "professionals": env._("Professionals"),
            "agenda_modules": env._("Agenda modules"),
        }
        profile = {}
        for key, (field, default, unit) in NUMBER_FIELDS.items():
            text = (post.get(key) or default).strip().replace(",", ".")
            if not text:
                raise UserError(env._("Please fill in: %s", labels[key]))
            try:
                number = float(text)
            except ValueError:
                raise UserError(
                    env._(
                        "%(field)s: %(value)s is not a number.",
                        field=labels[key],
                        value=text,
                    )
                ) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise UserError(
                    env._(
                        "%(field)s: %(value)s is not a number.",
                        field=labels[key],
                        value=text,
                    )
                )
            if field in WHOLE_FIELDS:
                if number != int(number):
                    raise UserError(
                        env._("%(field)s must be a whole number.", field=labels[key])
                    )
                number = int(number)
            else:
                number *= unit
            profile[field] = number
        for field, choices in CHOICES.items():
            value = post.get(field) or choices[0]
            if value not in choices:
                raise UserError(env._("Choose one of the options offered."))
            profile[field] = value
        profile["collective"] = profile["professionals"] > 1
        return profile

    @http.route(
        "/callgest/quote", type="http", auth="public", methods=["GET"], sitemap=True
    )
    def quote_form(self, **kwargs):
        return self._render()

    @http.route(
        "/callgest/quote", type="http", auth="public", methods=["POST"], sitemap=False
    )
    def quote_submit(self, **post):
        values = {
            key: (post.get(key) or "").strip() for key in post if key != "csrf_token"
        }
        try:
            profile = self._profile(post)
            quote = (
                request.env["callgest.quote"]
                .sudo()
                ._callgest_public_quote(
                    {key: values.get(key, "") for key in CONTACT_FIELDS},
                    profile,
                    ip=request.httprequest.remote_addr,
                    lang=request.env.lang,
                )
            )
        except (UserError, ValidationError) as error:
            return self._render(values, error.args[0])
        return request.render(
            "callgest_crm_billing.public_quote_answer", {"quote": quote.sudo()}
        )
