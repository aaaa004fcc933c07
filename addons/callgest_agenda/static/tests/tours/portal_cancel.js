import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_agenda_portal_cancel", {
    url: "/my/appointments",
    steps: () => [
        {
            content: "Open Ana's appointment",
            trigger:
                "tr.o_callgest_appointment_row:contains('Ana Caller') a.o_callgest_appointment_link",
            run: "click",
        },
        {
            content: "Cancel it",
            trigger: "button.o_callgest_cancel",
            run: "click",
        },
        {
            content: "It is cancelled",
            trigger: ".o_callgest_success",
        },
        {
            trigger: ".o_callgest_state_cancelled",
        },
    ],
});
