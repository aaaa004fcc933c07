import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_franchise_console_tour", {
    steps: () => [
        {
            content: "A call to the network's number",
            trigger: ".o_callgest_console .o_callgest_console_ddi",
            run: "edit 910 700 482",
        },
        {
            trigger: ".o_callgest_console .o_callgest_console_caller",
            run: "edit 611 222 482",
        },
        {
            trigger: ".o_callgest_console_lookup",
            run: "click",
        },
        {
            content: "The network, and its franchise card",
            trigger: '.o_callgest_console_client:contains("Tour Repairs")',
        },
        {
            content: "A postal code that does not exist, and Enter",
            trigger: ".o_callgest_franchise_panel .o_callgest_franchise_query",
            run: "edit 99001",
        },
        {
            trigger: ".o_callgest_franchise_panel .o_callgest_franchise_query",
            run: "press Enter",
        },
        {
            content: "The server says so: the network takes it",
            trigger:
                '.o_callgest_franchise_message.alert-warning:contains("99001 is neither")',
        },
        {
            content: "No error dialog, no franchisee",
            trigger:
                "body:not(:has(.o_error_dialog)):not(:has(.o_callgest_franchise_franchisee))",
        },
        {
            trigger: '.o_callgest_franchise_recado_for:contains("For the network")',
        },
        {
            content: "The caller is in Toledo",
            trigger: ".o_callgest_franchise_panel .o_callgest_franchise_query",
            run: "edit 45001",
        },
        {
            trigger: ".o_callgest_franchise_find",
            run: "click",
        },
        {
            content: "Madrid covers Toledo",
            trigger:
                '.o_callgest_franchise_message.alert-info:contains("Tour Repairs Madrid covers Toledo")',
        },
        {
            trigger: '.o_callgest_franchise_name:contains("Madrid")',
        },
        {
            trigger: ".o_callgest_franchise_open",
        },
        {
            content: "Its local time",
            trigger: '.o_callgest_franchise_hours:contains("Local time")',
        },
        {
            content: "Its transfer numbers, in order, to call",
            trigger:
                '.o_callgest_franchise_transfer:nth-child(1) a[href="tel:+34915330482"]',
        },
        {
            trigger:
                '.o_callgest_franchise_transfer:nth-child(2):contains("25 s") a[href="tel:+34611402482"]',
        },
        {
            content: "The next nearest: Barcelona",
            trigger: '.o_callgest_franchise_rank:contains("Tour Repairs Barcelona")',
        },
        {
            content: "The recado is for Madrid",
            trigger: '.o_callgest_franchise_recado_for:contains("Tour Repairs Madrid")',
        },
        {
            trigger: ".o_callgest_console_caller_name",
            run: "edit Tour Caller",
        },
        {
            trigger: ".o_callgest_console_body",
            run: "edit The washing machine does not spin.",
        },
        {
            trigger: ".o_callgest_console_send",
            run: "click",
        },
        {
            content: "Sent to Madrid",
            trigger:
                '.o_callgest_franchise_sent:contains("goes to Tour Repairs Madrid")',
        },
        {
            content: "The card is ready for the next call",
            trigger:
                ".o_callgest_franchise_panel:not(:has(.o_callgest_franchise_result))",
        },
        {
            trigger:
                '.o_callgest_console_history:contains("Routed to Tour Repairs Madrid")',
        },
    ],
});
