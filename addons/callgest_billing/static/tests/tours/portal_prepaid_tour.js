import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_billing_portal_prepaid", {
    url: "/my",
    steps: () => [
        {
            content: "Open the prepaid balance",
            trigger: ".o_portal_index_card a[href='/my/prepaid']",
            run: "click",
        },
        {
            content: "The balance and the entries are there",
            trigger: ".o_callgest_prepaid_balance",
        },
        {
            trigger: ".o_callgest_prepaid_move:contains('Own gift')",
        },
        {
            content: "Top up 30 €",
            trigger: "button.o_callgest_top_up_30",
            run: "click",
        },
        {
            content: "The invoice to pay opens",
            trigger: ".o_portal_invoice_sidebar",
        },
    ],
});
