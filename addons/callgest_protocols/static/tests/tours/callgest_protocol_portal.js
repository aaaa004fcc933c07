import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_protocols_portal_request", {
    url: "/my",
    steps: () => [
        {
            content: "Open the Protocol card",
            trigger: ".o_portal_index_card a[href='/my/protocol']",
            run: "click",
        },
        {
            content: "The greeting the secretary says",
            trigger: ".o_callgest_protocol_greeting:contains('Tour Clinic')",
        },
        {
            content: "Choose the part of the protocol",
            trigger: "select[name='section']",
            run: "select transfers",
        },
        {
            content: "Write the change",
            trigger: "textarea[name='text']",
            run: "edit Add Dr. Serra (+34 627 561 109) after reception.",
        },
        {
            content: "Send it",
            trigger: "button.o_callgest_change_request_submit",
            run: "click",
        },
        {
            content: "It was received",
            trigger: ".o_callgest_protocol_success",
        },
        {
            content: "It is listed, waiting for the supervisor",
            trigger:
                ".o_callgest_change_request_row:contains('Add Dr. Serra') .o_callgest_change_state[data-state='draft_created']",
        },
    ],
});
