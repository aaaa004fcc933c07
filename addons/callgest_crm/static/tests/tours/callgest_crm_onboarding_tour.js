import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_crm_onboarding_tour", {
    steps: () => [
        {
            content: "The won opportunity offers the onboarding",
            trigger: 'button[name="action_callgest_onboard"]',
            run: "click",
        },
        {
            content: "The wizard proposes the new client from the lead",
            trigger:
                '.modal .o_field_widget[name="client_name"] input:value("Tour Fisioteràpia Sabadell")',
        },
        {
            trigger: '.modal .o_field_widget[name="client_code"] input',
            run: "edit 5432",
        },
        {
            content: "Level 2: the secretaries are trained on its protocol",
            trigger:
                '.modal .o_field_widget[name="service_level"] input[data-value="level_2"]',
            run: "click",
        },
        {
            content: "Pick the number from the stock",
            trigger: '.modal .o_field_widget[name="ddi_id"] input',
            run: "edit 937451009",
        },
        {
            trigger: '.o-autocomplete--dropdown-item a:contains("+34 937 45 10 09")',
            run: "click",
        },
        {
            trigger: '.modal footer button[name="action_onboard"]',
            run: "click",
        },
        {
            content: "Back on the lead, now linked to the new client",
            trigger:
                'body:not(:has(.modal)) .o_field_widget[name="partner_id"] input:value("Tour Fisioteràpia Sabadell")',
        },
        {
            content: "The lead can no longer be onboarded",
            trigger: '.o_form_view:not(:has(button[name="action_callgest_onboard"]))',
        },
        {
            content: "The chatter tells it",
            trigger:
                '.o-mail-Message-body:contains("Onboarded as the CallGest client")',
        },
    ],
});
