import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("callgest_portal_calls_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the calls of this month from the home card",
            trigger: ".o_portal_index_card a[href='/my/calls']",
            run: "click",
        },
        {
            content: "This month's running total against the minimum",
            trigger: ".o_callgest_running_total",
        },
        {
            content: "Filter by the month before",
            trigger: "select[name='month']",
            run() {
                this.anchor.selectedIndex = 1;
                this.anchor.dispatchEvent(new Event("change"));
            },
        },
        {
            content: "The call of that month, its cost explained",
            trigger:
                ".o_callgest_cost_explanation:contains('20 s robot × 0.001 + 100 s secretary level 1 × 0.013 = 1.32 €')",
        },
        {
            content: "Open the quality and consumption page",
            trigger: ".o_callgest_consumption_link",
            run: "click",
        },
        {
            content: "The chart is drawn",
            trigger: "canvas.o_callgest_quality_chart.o_callgest_chart_drawn",
        },
    ],
});
