import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("callgest_quarantine_reprocess_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("callgest_base.menu_callgest_root", "Open CallGest"),
        {
            content: "Open the call records menu",
            trigger: '.o_main_navbar button:contains("Call records")',
            run: "click",
        },
        {
            content: "Open the quarantine",
            trigger: '.dropdown-item:contains("Quarantine")',
            run: "click",
        },
        {
            content: "Each row says why it was kept",
            trigger: '.o_data_row td:contains("Unknown DDI 211474")',
        },
        {
            content: "Select every row to review",
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Re-process them now that the route exists",
            trigger: 'button[name="action_reprocess"]',
            run: "click",
        },
        {
            content: "They left the quarantine",
            trigger: '.o_notification:contains("re-processed")',
        },
        {
            content: "Open the call records menu again",
            trigger: '.o_main_navbar button:contains("Call records")',
            run: "click",
        },
        {
            content: "Open the calls",
            trigger: '.dropdown-item:contains("Calls")',
            run: "click",
        },
        {
            // The quarantine's search box is still there until the calls load
            content: "The calls are listed",
            trigger: '.o_breadcrumb .active:contains("Calls")',
        },
        {
            content: "Look for the client's calls",
            trigger: ".o_searchview_input",
            run: "edit Tour Repairs",
        },
        {
            content: "Search them by client",
            trigger: '.o_searchview_autocomplete .o_menu_item:contains("Client")',
            run: "click",
        },
        {
            content: "The re-processed calls are there, for their client",
            trigger: '.o_data_row td:contains("Tour Repairs")',
        },
    ],
});
