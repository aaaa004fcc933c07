import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_agenda_console_tour", {
    steps: () => [
        {
            content: "A call to the dental clinic",
            trigger: ".o_callgest_console .o_callgest_console_ddi",
            run: "edit 93 390 67 01",
        },
        {
            trigger: ".o_callgest_console .o_callgest_console_caller",
            run: "edit 611 222 444",
        },
        {
            trigger: ".o_callgest_console_lookup",
            run: "click",
        },
        {
            content: "The caller's appointment is in his history",
            trigger: '.o_callgest_agenda_appointment:contains("Tour check-up")',
        },
        {
            content: "The clinic's agenda: choose the type",
            trigger:
                '.o_callgest_agenda_panel .o_callgest_agenda_type:contains("Tour first visit")',
            run: "click",
        },
        {
            content: "Its free slots",
            trigger: ".o_callgest_agenda_slots .o_callgest_agenda_slot",
        },
        {
            trigger: ".o_callgest_agenda_caller_name",
            run: "edit Marta Soler",
        },
        {
            trigger: '.o_callgest_agenda_question[data-question-name="Motivo"]',
            run: "edit Dolor de muelas",
        },
        {
            content: "A bad email",
            trigger: ".o_callgest_agenda_email",
            run: "edit marta@",
        },
        {
            trigger: ".o_callgest_agenda_slots .o_callgest_agenda_slot:first-child",
            run: "click",
        },
        {
            content: "The server's refusal, as a notification",
            trigger: '.o_callgest_agenda_refusal:contains("marta@")',
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
        {
            trigger: ".o_callgest_agenda_refusal .o_notification_close",
            run: "click",
        },
        {
            trigger: ".o_callgest_agenda_email",
            run: "edit Marta.Soler@example.com",
        },
        {
            content: "Book the first free slot",
            trigger:
                ".o_callgest_agenda_slots .o_callgest_agenda_slot:first-child:not([disabled])",
            run: "click",
        },
        {
            content: "Booked",
            trigger: '.o_callgest_agenda_booked:contains("Tour first visit")',
        },
        {
            content: "The new appointment is in the history",
            trigger: '.o_callgest_agenda_appointment:contains("Tour first visit")',
        },
        {
            content: "Cancel the earlier one",
            trigger:
                '.o_callgest_agenda_appointment:contains("Tour check-up") .o_callgest_agenda_cancel',
            run: "click",
        },
        {
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: '.o_callgest_agenda_cancelled:contains("Tour check-up")',
        },
        {
            content: "It is gone",
            trigger: '.o_callgest_agenda_appointments:not(:contains("Tour check-up"))',
        },
        {
            content: "Move the new one",
            trigger:
                '.o_callgest_agenda_appointment:contains("Tour first visit") .o_callgest_agenda_reschedule',
            run: "click",
        },
        {
            trigger:
                ".o_callgest_agenda_reschedule_slots .o_callgest_agenda_reschedule_slot:first-child",
            run: "click",
        },
        {
            content: "Moved",
            trigger: '.o_callgest_agenda_moved:contains("Tour first visit")',
        },
        {
            trigger:
                ".o_callgest_agenda_appointments:not(:has(.o_callgest_agenda_reschedule_slots))",
        },
    ],
});
