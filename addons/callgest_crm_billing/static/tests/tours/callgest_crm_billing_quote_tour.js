import {registry} from "@web/core/registry";

// Three calls of a prospect, as a spreadsheet exports them: a plain CSV of
// date, time and duration (Spanish header, semicolons, mm:ss)
const PROSPECT_CALLS = [
    "Fecha;Hora;Duración",
    "12/01/2026;10:00;2:00",
    "12/01/2026;11:00;60",
    "13/01/2026;10:00;120",
].join("\n");

registry.category("web_tour.tours").add("callgest_crm_billing_quote_tour", {
    // A salesman quotes an opportunity from the prospect's own calls, then
    // sends the quote from the lead with the mail composer
    steps: () => [
        {
            content: "The opportunity offers a quote",
            trigger: 'button[name="action_callgest_quote"]',
            run: "click",
        },
        {
            content: "From the prospect's call records, by default",
            trigger:
                '.modal .o_field_widget[name="source"] input[data-value="sample"]:checked',
        },
        {
            content: "Upload the prospect's export",
            trigger:
                '.modal .o_field_widget[name="sample_file"] input[type="file"]:not(:visible)',
            run() {
                const file = new File([PROSPECT_CALLS], "llamadas.csv", {
                    type: "text/csv",
                });
                const transfer = new DataTransfer();
                transfer.items.add(file);
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            content: "The file is loaded",
            trigger: '.modal .o_field_widget[name="sample_file"] .o_clear_file_button',
        },
        {
            content: "Its times are Madrid's",
            trigger: '.modal .o_field_widget[name="tz"] select',
            run: 'select "Europe/Madrid"',
        },
        {
            content: "The secretaries answer at all hours",
            trigger: '.modal .o_field_widget[name="resource_calendar_id"] input',
            run: "edit Tour always open",
        },
        {
            trigger: '.o-autocomplete--dropdown-item a:contains("Tour always open")',
            run: "click",
        },
        {
            trigger: '.modal footer button[name="action_quote"]',
            run: "click",
        },
        {
            content:
                "The quote: 300 s of secretary over two days at 0.013 €/s, brought " +
                "to a month, and the DDI",
            trigger:
                'body:not(:has(.modal)) .o_field_widget[name="monthly_estimate"]:contains("68.35")',
        },
        {
            content: "The breakdown names the secretary's time",
            trigger: '.o_field_widget[name="line_ids"] td:contains("Secretary time")',
        },
        {
            content: "Its calls explained, as the invoice does",
            trigger:
                '.o_field_widget[name="explanations"]:contains("120 s secretary level 1 × 0.013 = 1.56 €")',
        },
        {
            trigger: 'button[name="action_send"]',
            run: "click",
        },
        {
            content: "The composer attaches the quote's PDF",
            trigger:
                '.modal .o_field_widget[name="attachment_ids"]:contains("Quote QUO/")',
        },
        {
            trigger: ".modal footer button.o_mail_send",
            run: "click",
        },
        {
            content: "Back to the opportunity",
            trigger:
                'body:not(:has(.modal)) .o_breadcrumb a:contains("Answering service for the tour workshop")',
            run: "click",
        },
        {
            content: "Its expected revenue: a year of the estimate and the setup fee",
            trigger: '.o_field_widget[name="expected_revenue"] input:value("915.20")',
        },
        {
            content: "Its chatter has the quote sent, with the PDF",
            trigger:
                '.o-mail-Message:has(.o-mail-Message-body:contains("Here is the quote")):has(.o-mail-AttachmentCard, .o-mail-AttachmentList)',
        },
    ],
});
