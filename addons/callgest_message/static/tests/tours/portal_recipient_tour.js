import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_message_portal_recipient", {
    url: "/my",
    steps: () => [
        {
            content: "Open the notification recipients",
            trigger: ".o_portal_index_card a[href='/my/recipients']",
            run: "click",
        },
        {
            content: "Edit the front desk recipient",
            trigger:
                ".o_callgest_recipient_row:contains('Front desk') a.o_callgest_recipient_link",
            run: "click",
        },
        {
            content: "Receive it in digests",
            trigger: "select[name='mode']",
            run: "select digest",
        },
        {
            content: "Save",
            trigger: "button.o_callgest_recipient_submit",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_callgest_recipient_saved",
        },
        {
            content: "It is a digest now",
            trigger:
                ".o_callgest_recipient_row:contains('Front desk') .o_callgest_recipient_mode:contains('Digest')",
        },
    ],
});
