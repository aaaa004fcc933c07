from collections import defaultdict

from odoo import Command, api, fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    callgest_prepaid_recharge = fields.Boolean(
        string="CallGest prepaid recharge",
        help="When a customer invoice of this product is paid, the client's "
        "prepaid account is credited: with the bundle calls below, or else "
        "with the untaxed amount of the line.",
    )
    callgest_prepaid_calls = fields.Integer(
        string="Bundle calls",
        help="Calls credited per unit sold; 0 for a money top-up.",
    )

    @api.model
    def _callgest_service_products(self):
        """The products CallGest invoices: those its tariffs' rates sell and
        the other service products of callgest_billing's data that are sold
        (prepaid top-ups and plans, the overage); not the deposit, which is
        held, not sold."""
        rates = (
            self.env["callgest.tariff.rate"]
            .sudo()
            .with_context(active_test=False)
            .search([])
        )
        products = rates.product_id.product_tmpl_id
        ids_by_model = defaultdict(list)
        for data in (
            self.env["ir.model.data"]
            .sudo()
            .search_fetch(
                [
                    ("module", "=", "callgest_billing"),
                    ("model", "in", ("product.product", "product.template")),
                ],
                ["model", "res_id"],
            )
        ):
            ids_by_model[data.model].append(data.res_id)
        # one query per model, not one per record
        for model, ids in ids_by_model.items():
            records = self.env[model].sudo().browse(ids).exists()
            if model == "product.product":
                records = records.product_tmpl_id
            products |= records
        return products.filtered(lambda p: p.sale_ok and p.type == "service")

    @api.model
    def _callgest_set_default_sale_tax(self, company):
        """Give the CallGest service products the company's default sale tax,
        in its services variant when the chart has one (l10n_es: IVA 21 %
        (Servicios) rather than its default IVA 21 % (Bienes)): those without
        a sale tax of ``company``, and those that loading the chart gave its
        default (goods) tax. Run when a chart of accounts is loaded: products
        created before it (callgest_billing's data installed before the
        chart) would otherwise be invoiced without tax, or as goods."""
        default = company.account_sale_tax_id
        if not default:
            return
        Tax = self.env["account.tax"].sudo()
        tax = default
        if default.tax_scope == "consu":
            services = Tax.search(
                [
                    *Tax._check_company_domain(company),
                    ("type_tax_use", "=", "sale"),
                    ("tax_scope", "=", "service"),
                    ("amount_type", "=", default.amount_type),
                    ("amount", "=", default.amount),
                    ("tax_group_id", "=", default.tax_group_id.id),
                ]
            ).filtered(lambda t: t.price_include == default.price_include)
            tax = services[:1] or default
        company_domain = Tax._check_company_domain(company)
        # the products to change, by the company taxes they have: one write each
        products = self._callgest_service_products()
        to_change = defaultdict(list)
        for product in products:
            taxes = product.taxes_id.filtered_domain(company_domain)
            if not taxes or (taxes == default and tax != default):
                to_change[taxes].append(product.id)
        for taxes, ids in to_change.items():
            products.browse(ids).write(
                {
                    "taxes_id": [Command.unlink(t.id) for t in taxes]
                    + [Command.link(tax.id)]
                }
            )
