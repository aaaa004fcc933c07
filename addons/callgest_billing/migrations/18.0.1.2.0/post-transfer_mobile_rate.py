"""Transfers to mobiles are priced at a rate of their own (issue 11): every
tariff without one gets the rate of its outbound calls to mobiles (the seed
prices no transfer to a mobile), so that rating a mobile transfer never fails
on a tariff made before the rate existed."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    product = env.ref("callgest_billing.product_transfer_mobile")
    for tariff in env["callgest.tariff"].search([]):
        rates = {rate.usage: rate for rate in tariff.rate_ids}
        if "transfer_mobile" in rates:
            continue
        model = rates.get("outbound_mobile")
        env["callgest.tariff.rate"].create(
            {
                "tariff_id": tariff.id,
                "sequence": 45,
                "usage": "transfer_mobile",
                "product_id": product.id,
                "unit": model.unit if model else "minute",
                "price": model.price if model else 0.30,
                "increment": model.increment if model else 60,
                "rounding_mode": model.rounding_mode if model else "up",
            }
        )
