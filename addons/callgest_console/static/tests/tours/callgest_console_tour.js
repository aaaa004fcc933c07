/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_console_tour", {
    steps: () => [
        {
            content: "Write the dialed number",
            trigger: ".o_callgest_console .o_callgest_console_ddi",
            run: "edit 0034 933 906 797",
        },
        {
            content: "Write the caller's number",
            trigger: ".o_callgest_console .o_callgest_console_caller",
            run: "edit 611 222 444",
        },
        {
            content: "Look the call up",
            trigger: ".o_callgest_console_lookup",
            run: "click",
        },
        {
            content: "The client and the greeting to read aloud",
            trigger: '.o_callgest_console_client:contains("Tour Clinic")',
        },
        {
            trigger: '.o_callgest_console_greeting:contains(", Tour Clinic")',
        },
        {
            content: "Open or closed",
            trigger: ".o_callgest_console_open, .o_callgest_console_closed",
        },
        {
            content: "No history for a new caller",
            trigger: '.o_callgest_console_history:contains("No previous recado")',
        },
        {
            content: "The caller's name",
            trigger: ".o_callgest_console_caller_name",
            run: "edit Tour Caller",
        },
        {
            content: "Category: call back",
            trigger: ".o_callgest_console_category",
            run: "select callback",
        },
        {
            content: "Urgent",
            trigger: ".o_callgest_console_urgent",
            run: "click",
        },
        {
            content: "The message",
            trigger: ".o_callgest_console_body",
            run: "edit Please call back before noon.",
        },
        {
            content: "Send the recado",
            trigger: ".o_callgest_console_send",
            run: "click",
        },
        {
            content: "The recado is confirmed",
            trigger: '.o_notification:contains("sent")',
        },
        {
            content: "And it is now in the caller's history",
            trigger: '.o_callgest_console_history:contains("Please call back before noon.")',
        },
    ],
});
