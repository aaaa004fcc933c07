import {registry} from "@web/core/registry";

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
            content: "A client that is served: no 'do not serve' notice",
            trigger: ".o_callgest_console:not(:has(.o_callgest_console_not_served))",
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
            content: "The call types of the protocol, as buttons",
            trigger: '.o_callgest_console_call_type:contains("Urgencia dental")',
        },
        {
            content: "The caller wants an appointment",
            trigger: '.o_callgest_console_call_type:contains("Cita")',
            run: "click",
        },
        {
            content: "Its instructions",
            trigger:
                '.o_callgest_console_call_type_instructions:contains("Pregunte por el paciente")',
        },
        {
            content: "Patient",
            trigger:
                '.o_callgest_console_question[data-question-label="Nombre del paciente"]',
            run: "edit Marta Soler",
        },
        {
            content: "Phone",
            trigger:
                '.o_callgest_console_question[data-question-label="Teléfono de contacto"][type=tel]',
            run: "edit 600 123 456",
        },
        {
            content: "Preference",
            trigger:
                'select.o_callgest_console_question[data-question-label="Preferencia"]',
            run: "select tarde",
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
            trigger:
                '.o_callgest_console_history:contains("Please call back before noon.")',
        },
        {
            content: "The form is empty again, no call type chosen",
            trigger:
                ".o_callgest_console_recado:not(:has(.o_callgest_console_question))",
        },
        {
            content: "A second recado, without a call type",
            trigger: ".o_callgest_console_category",
            run: "select callback",
        },
        {
            trigger: ".o_callgest_console_body",
            run: "edit Wrong number, no call type.",
        },
        {
            trigger: ".o_callgest_console_send",
            run: "click",
        },
        {
            content: "It is in the history too",
            trigger:
                '.o_callgest_console_history:contains("Wrong number, no call type.")',
        },
        {
            content: "A fault: the call type opens an incidencia",
            trigger: '.o_callgest_console_call_type:contains("Urgencia dental")',
            run: "click",
        },
        {
            content: "The send button says so",
            trigger: '.o_callgest_console_send:contains("Open incidencia")',
        },
        {
            content: "No recado category for an incidencia",
            trigger:
                ".o_callgest_console_recado:not(:has(.o_callgest_console_category))",
        },
        {
            trigger: ".o_callgest_console_caller_name",
            run: "edit Tour Caller",
        },
        {
            trigger: ".o_callgest_console_body",
            run: "edit Broken tooth, strong pain.",
        },
        {
            trigger: ".o_callgest_console_send",
            run: "click",
        },
        {
            content: "The incidencia is confirmed",
            trigger: '.o_notification:contains("opened")',
        },
        {
            content: "And it is in the caller's history",
            trigger:
                '.o_callgest_console_history:contains("Broken tooth, strong pain.")',
        },
        {
            content: "Back to a recado",
            trigger: '.o_callgest_console_send:contains("Send recado")',
        },
        {
            content: "Email a snippet to the caller",
            trigger:
                '.o_callgest_console_snippet[data-snippet-name="Cómo llegar"] .o_callgest_console_snippet_email',
            run: "edit marta@example.com",
        },
        {
            trigger:
                '.o_callgest_console_snippet[data-snippet-name="Cómo llegar"] .o_callgest_console_snippet_send',
            run: "click",
        },
        {
            content: "The email is queued",
            trigger: '.o_notification:contains("queued for marta@example.com")',
        },
    ],
});
