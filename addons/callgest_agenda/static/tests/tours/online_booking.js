import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_agenda_online_booking", {
    steps: () => [
        {
            content: "Pick the type of appointment",
            trigger: "a.o_callgest_online_type:contains('Primera visita')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says which time zone",
            trigger: ".o_callgest_online_tz:contains('Europe/Madrid')",
        },
        {
            content: "Pick the first free slot",
            trigger: "a.o_callgest_online_slot:first",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Name",
            trigger: "input[name=name]",
            run: "edit Tour Caller",
        },
        {
            content: "Email",
            trigger: "input[name=email]",
            run: "edit tour@example.com",
        },
        {
            content: "Answer the question",
            trigger: "input[name^=question_]",
            run: "edit Dolor",
        },
        {
            content: "Book",
            trigger: ".o_callgest_online_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Thank you: check your email",
            trigger: ".o_callgest_online_thanks",
        },
    ],
});
