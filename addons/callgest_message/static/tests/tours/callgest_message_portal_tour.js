import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_message_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The recados card counts the unread ones",
            trigger: '.o_callgest_unread_count:contains("2 unread")',
        },
        {
            trigger: '.o_portal_index_card a[href="/my/recados"]:contains("Recados")',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the unread recado",
            trigger: ".o_callgest_message_row.fw-bold a.o_callgest_message_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: '.o_callgest_body:contains("Tour portal recado body")',
        },
        {
            content: "Opening it does not mark it read: the client does",
            trigger: ".o_callgest_unread",
        },
        {
            trigger: "button.o_callgest_mark_read",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_callgest_success",
        },
        {
            trigger: ".o_callgest_read_info",
        },
        {
            trigger: "button.o_callgest_mark_unread",
        },
        {
            content: "Back home",
            trigger:
                '.o_portal_submenu a[href="/my/home"], .o_portal_submenu a[href="/my"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger:
                '.o_portal_index_card a[href="/my/incidencias"]:contains("Incidencias")',
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: '.o_callgest_incident_row a:contains("TOUR-INC")',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Answer the service in the chatter",
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit The technician may come tomorrow at 10.",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            trigger:
                '#chatterRoot:shadow .o-mail-Message:contains("The technician may come tomorrow at 10.")',
        },
        {
            trigger: "button.o_callgest_close",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_callgest_state_closed",
        },
        {
            trigger: "button.o_callgest_reopen",
        },
    ],
});
