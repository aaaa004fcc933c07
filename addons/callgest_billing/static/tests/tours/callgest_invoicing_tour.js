import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

function invoiceMonthSteps(period) {
    return [
        {
            content: "Open the billing menu",
            trigger: '.o_main_navbar button:contains("Billing")',
            run: "click",
        },
        {
            content: "Invoice a month",
            trigger: '.dropdown-item:contains("Invoice a month")',
            run: "click",
        },
        {
            content: "Say which month",
            trigger: '.modal .o_field_widget[name="period"] input',
            run: `edit ${period}`,
        },
        {
            content: "Run the invoicing",
            trigger: '.modal button[name="action_run"]',
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("callgest_invoicing_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("callgest_base.menu_callgest_root", "Open CallGest"),
        ...invoiceMonthSteps("2020-02"),
        {
            content: "The client's invoice for the month is listed",
            trigger: '.o_data_row td:contains("Tour Billing Client")',
        },
        ...invoiceMonthSteps("2020-02"),
        {
            content: "A second run creates nothing and says why",
            trigger: '.modal .alert:contains("already invoiced")',
        },
        {
            content: "Close the wizard",
            trigger: '.modal button:contains("Close")',
            run: "click",
        },
    ],
});
