import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_crm_billing_public_quote_tour", {
    // A visitor of the provider's site asks how much the service will cost
    url: "/callgest/quote",
    steps: () => [
        {
            trigger: 'input[name="average_minutes"]',
            run: "edit 2",
        },
        {
            trigger: 'input[name="name"]',
            run: "edit Tour Visitor",
        },
        {
            trigger: 'input[name="company"]',
            run: "edit Tour Talleres SL",
        },
        {
            trigger: 'input[name="email"]',
            run: "edit visitor@tour-quote.example.com",
        },
        {
            content:
                "A negative figure, past the browser's own check (as a script " +
                "posting the form would): the server refuses it",
            trigger: 'form.o_callgest_quote_form input[name="calls_per_day"]',
            run() {
                this.anchor.removeAttribute("min");
                this.anchor.value = "-5";
                this.anchor.form.requestSubmit();
            },
        },
        {
            content: "A clear message, and the figures kept",
            trigger: '.o_callgest_quote_error:contains("cannot be negative")',
        },
        {
            trigger: 'input[name="email"]:value("visitor@tour-quote.example.com")',
        },
        {
            trigger: 'input[name="calls_per_day"]',
            run: "edit 10",
        },
        {
            trigger: 'form.o_callgest_quote_form button[type="submit"]',
            run: "click",
        },
        {
            content:
                "The estimate at once: 10 calls a day of 2 min, 21.75 days, at " +
                "0.013 €/s, and the DDI",
            trigger: '.o_callgest_quote_estimate:contains("348.30")',
        },
        {
            trigger: '.o_callgest_quote_answer ~ .alert-success:contains("QUO/")',
        },
    ],
});
