import {loadBundle} from "@web/core/assets";
import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * The charts of /my/consumption, drawn with the Chart.js Odoo's web client
 * ships (the "web.chartjs_lib" bundle the graph view loads too): calls per
 * month (answered, missed, abandoned) and the answer times against the
 * target. The data comes with the page, in the canvas' data-chart.
 */
publicWidget.registry.CallgestQualityChart = publicWidget.Widget.extend({
    selector: ".o_callgest_quality_chart",

    async start() {
        await this._super(...arguments);
        await loadBundle("web.chartjs_lib");
        const data = JSON.parse(this.el.dataset.chart);
        const names = data.names;
        const config =
            this.el.dataset.kind === "answer"
                ? {
                      type: "line",
                      data: {
                          labels: data.labels,
                          datasets: [
                              {
                                  label: names.avg,
                                  data: data.avg,
                                  borderColor: "#2b6cb0",
                              },
                              {
                                  label: names.p90,
                                  data: data.p90,
                                  borderColor: "#dd6b20",
                              },
                              {
                                  label: names.target,
                                  data: data.target,
                                  borderColor: "#c53030",
                                  borderDash: [6, 4],
                                  pointRadius: 0,
                              },
                          ],
                      },
                  }
                : {
                      type: "bar",
                      data: {
                          labels: data.labels,
                          datasets: [
                              {
                                  label: names.answered,
                                  data: data.answered,
                                  backgroundColor: "#38a169",
                              },
                              {
                                  label: names.missed,
                                  data: data.missed,
                                  backgroundColor: "#dd6b20",
                              },
                              {
                                  label: names.abandoned,
                                  data: data.abandoned,
                                  backgroundColor: "#c53030",
                              },
                          ],
                      },
                  };
        config.options = {
            maintainAspectRatio: false,
            animation: false,
            scales: {y: {beginAtZero: true}},
        };
        this.chart = new window.Chart(this.el, config);
        this.el.classList.add("o_callgest_chart_drawn");
    },

    destroy() {
        this.chart?.destroy();
        this._super(...arguments);
    },
});

export default publicWidget.registry.CallgestQualityChart;
