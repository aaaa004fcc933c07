import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("callgest_message_secretary_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("callgest_base.menu_callgest_root", "Open CallGest"),
        {
            trigger: '.o_main_navbar button:contains("Calls")',
            run: "click",
        },
        {
            content: "Take a new recado",
            trigger: '.dropdown-item:contains("New recado")',
            run: "click",
        },
        {
            content: "The DDI that was called",
            trigger: '.o_field_widget[name="ddi_id"] input',
            run: "edit 933906797",
        },
        {
            trigger: '.o-autocomplete--dropdown-item a:contains("+34 933 90 67 97")',
            run: "click",
        },
        {
            content: "The client comes with the DDI",
            trigger: '.o_field_widget[name="partner_id"] input:value("Tour Dental")',
        },
        {
            trigger: '.o_field_widget[name="caller_name"] input',
            run: "edit Tour Caller",
        },
        {
            trigger: '.o_field_widget[name="caller_number"] input',
            run: "edit 600 111 222",
        },
        {
            trigger: '.o_field_widget[name="urgency"] input[data-value="urgent"]',
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="body"] textarea',
            run: "edit The boiler is leaking, call back at once",
        },
        {
            content: "Send it",
            trigger: 'button[name="action_submit"]',
            run: "click",
        },
        {
            content: "It is handed over for delivery",
            trigger:
                '.o_statusbar_status button.o_arrow_button_current:contains("To deliver")',
        },
    ],
});
