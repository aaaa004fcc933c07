import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("callgest_ddi_supervisor_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("callgest_base.menu_callgest_root", "Open CallGest"),
        {
            content: "Open the numbers menu",
            trigger: '.o_main_navbar button:contains("Numbers")',
            run: "click",
        },
        {
            content: "Open the DDIs",
            trigger: '.dropdown-item:contains("DDIs"):not(:contains("stock"))',
            run: "click",
        },
        {
            content: "Create a DDI",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Write the number with its international prefix",
            trigger: '.o_field_widget[name="number_entered"] input',
            run: "edit 0034 933 906 799",
        },
        {
            content: "Choose the client",
            trigger: '.o_field_widget[name="partner_id"] input',
            run: "edit Tour Clinic",
        },
        {
            trigger: '.o-autocomplete--dropdown-item a:contains("Tour Clinic")',
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The number is stored in E.164 with its type",
            trigger: '.o_field_widget[name="number"]:contains("+34933906799")',
        },
        {
            trigger: '.o_field_widget[name="number_type"]:contains("Fixed line")',
        },
        {
            content: "Activate it",
            trigger: 'button[name="action_activate"]',
            run: "click",
        },
        {
            content: "It is active",
            trigger:
                '.o_statusbar_status button.o_arrow_button_current:contains("Active")',
        },
        {
            content: "Back to the list",
            trigger:
                ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "Search the DDI in its national form",
            trigger: ".o_searchview_input",
            run: "edit 93 390 67 99",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Exactly that DDI is found",
            trigger:
                '.o_list_view .o_data_row:only-child .o_data_cell:contains("+34 933 90 67 99")',
        },
    ],
});

registry.category("web_tour.tours").add("callgest_ddi_secretary_tour", {
    url: "/odoo/action-callgest_base.action_callgest_ddi",
    steps: () => [
        {
            content: "Open the clinic's DDI",
            trigger: '.o_data_row .o_data_cell:contains("+34 933 90 67 98")',
            run: "click",
        },
        {
            content: "The DDI is shown with its client",
            trigger: '.o_field_widget[name="partner_id"]:contains("Tour Clinic")',
        },
        {
            content: "A secretary has no lifecycle button",
            trigger:
                ".o_form_view:not(:has(button[name='action_activate'], button[name='action_suspend'], button[name='action_release']))",
        },
        {
            content: "...and cannot edit the number",
            trigger:
                '.o_field_widget[name="number_entered"].o_readonly_modifier, .o_form_readonly .o_field_widget[name="number_entered"]',
        },
    ],
});

registry.category("web_tour.tours").add("callgest_client_supervisor_tour", {
    url: "/odoo/action-callgest_base.action_callgest_client",
    steps: () => [
        {
            content: "Create a client",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="name"] input',
            run: "edit Tour Dental Clinic",
        },
        {
            content: "The service tab opens first and is editable",
            trigger: '.o_notebook .nav-link.active:contains("CallGest service")',
        },
        {
            trigger: '.o_field_widget[name="callgest_client_code"] input',
            run: "edit 4321",
        },
        {
            trigger: '.o_field_widget[name="callgest_service_level"] select',
            run: 'select "level_2"',
        },
        {
            trigger: '.o_field_widget[name="callgest_service_state"] select',
            run: 'select "onboarding"',
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content:
                "Saved: the breadcrumb shows the new client and its onboarding date",
            trigger: '.o_breadcrumb .active:contains("Tour Dental Clinic")',
        },
        {
            trigger: '.o_field_widget[name="callgest_onboarding_date"] input',
        },
    ],
});
