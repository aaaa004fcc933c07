"""The prepaid low balance warning now says the calls left and offers the
plans and the top-ups: its template (noupdate) is loaded again, with the
translations of the new text."""

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file

TEMPLATE = "callgest_billing.mail_template_prepaid_low_balance"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    convert_file(env, "callgest_billing", "data/mail_template_data.xml", {}, "init")
    template = env.ref(TEMPLATE, raise_if_not_found=False)
    if not template:
        return
    # the old text's translations would hide the new one
    cr.execute(
        """UPDATE mail_template
              SET body_html = jsonb_build_object('en_US', body_html->'en_US')
            WHERE id = %s""",
        [template.id],
    )
    template.invalidate_recordset(["body_html"])
    langs = [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]
    if langs:
        env["ir.module.module"]._load_module_terms(["callgest_billing"], langs)
