import logging

from odoo import api, models

_logger = logging.getLogger(__name__)

# The Spanish chart for small and medium companies (PGC PYMEs 2008), the one
# l10n_es's own demo company uses; its taxes are l10n_es's "mainland" ones.
DEMO_CHART = "es_pymes"
# l10n_es's "IVA 21% (Servicios)": base in box 07, tax in box 09 of Modelo 303
SERVICES_TAX = "account_tax_template_s_iva21s"
# CallGest's demo clients in Spain and Portugal, with their tax numbers: a
# Spanish invoice names its client's NIF, and the fiscal positions of l10n_es
# that apply on their own need it (domestic, intra-community).
CLIENT_VATS = {
    "callgest_base.client_dental_diagonal": "ESB08654329",
    "callgest_base.client_ferrer_soler": "ESB28743102",
    "callgest_base.client_tecnoreparaciones": "ESB46128732",
    "callgest_base.client_vozplus": "ESB50987122",
    "callgest_base.client_fisio_gracia": "ESB08123457",
    "callgest_base.client_contabilidade_baixa": "PT512345678",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _callgest_demo_spain(self):
        """Make the demo company CallGest's Spanish answering service.

        ``base.main_company`` is Odoo's US "YourCompany" on account's generic
        demo chart (a 15 % tax, USD) when this runs. It becomes a Barcelona
        S.L. on the Spanish chart of accounts, in EUR, whose CallGest service
        products are sold with IVA 21 % (Servicios), so that the Modelo 303 of
        l10n_es shows the IVA of its CallGest invoices. Loading the chart as
        Odoo does for a new company replaces the generic demo chart and the
        demo entries of account (Odoo does so in a database with demo data).

        Only that untouched demo company: one already on another chart or
        with entries of its own (CallGest invoices of an older demo
        database), or a database without accounting demo data, is left alone.
        Returns whether the company was set up."""
        company = self.env.ref("base.main_company")
        if company.chart_template == DEMO_CHART:
            return False
        if company.chart_template not in (False, "generic_coa") or not (
            self.env.ref("base.module_account").demo
        ):
            _logger.info(
                "CallGest demo: %s keeps its chart of accounts (%s)",
                company.name,
                company.chart_template,
            )
            return False
        if self._callgest_demo_own_entries(company):
            # e.g. `make run` on a database made before this addon existed
            _logger.warning(
                "CallGest demo: %s keeps its chart of accounts: it has CallGest "
                "invoices, which loading the Spanish chart would delete. For "
                "the Spanish demo company, create the database anew.",
                company.name,
            )
            return False
        company.write(
            {
                "name": "CallGest Secretaría Remota S.L.",
                "street": "Carrer de Balmes, 150",
                "zip": "08008",
                "city": "Barcelona",
                "state_id": self.env.ref("base.state_es_b").id,
                "country_id": self.env.ref("base.es").id,
                "vat": "ESB65123408",
                "phone": "+34 930 000 100",
                "email": "facturacion@callgest.example.com",
                "website": "https://callgest.example.com",
            }
        )
        Chart = self.env["account.chart.template"]
        Chart._load(DEMO_CHART, company, install_demo=False)
        eur = self.env.ref("base.EUR")
        services_iva = Chart.with_company(company).ref(SERVICES_TAX)
        company.write(
            {
                "currency_id": eur.id,
                "account_sale_tax_id": services_iva.id,
                # last month's invoices are posted, as an accountant would:
                # numbered, and in the Modelo 303
                "callgest_invoice_auto_post": True,
            }
        )
        self._callgest_demo_rates(company)
        for xmlid, vat in CLIENT_VATS.items():
            partner = self.env.ref(xmlid, raise_if_not_found=False)
            if partner:
                partner.vat = vat
        return True

    @api.model
    def _callgest_demo_own_entries(self, company):
        """Whether ``company`` has CallGest entries: invoices of the service
        products or of the deposit (account's demo entries are not)."""
        products = self.env["product.template"]._callgest_service_products()
        deposit = self.env.ref("callgest_billing.product_deposit", False)
        if deposit:
            products |= deposit.product_tmpl_id
        return bool(
            self.env["account.move.line"]
            .sudo()
            .search_count(
                [
                    ("company_id", "=", company.id),
                    ("product_id.product_tmpl_id", "in", products.ids),
                ],
                limit=1,
            )
        )

    @api.model
    def _callgest_demo_rates(self, company):
        """The demo rates of callgest_billing are for a USD company (1 USD =
        0.86 EUR = 946 CLP); the company is in EUR now: 1 EUR = 1 EUR, and
        1 EUR = 946 / 0.86 = 1,100 CLP."""
        for xmlid, rate in (
            ("callgest_billing.currency_rate_eur_demo", 1.0),
            ("callgest_billing.currency_rate_clp_demo", 1100.0),
        ):
            record = self.env.ref(xmlid, raise_if_not_found=False)
            if record and record.company_id == company:
                record.rate = rate
