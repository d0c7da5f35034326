// Arbitrage Lab charts in Jupyter Notebook 6 (installed by scripts/install-kernel.sh as
// .jupyter/config/custom/custom.js, which the notebook page loads once).
//
// `show(figure)` emits the figure as a small JSON string under the MIME type
// application/vnd.arbitrage-lab.plotly (see src/kernel-helpers/show.ts), not as HTML with a
// script. This file registers a renderer for that type, marked safe: it only hands data to
// Plotly.newPlot and never runs code from the notebook, so charts render in a reopened notebook
// whether or not Jupyter trusts it. plotly.js itself is loaded once per page from
// .jupyter/config/custom/plotly.min.js (the project's plotly.js-dist-min), never from the network
// and never stored in a notebook.
define(["base/js/namespace", "notebook/js/outputarea"], (Jupyter, outputarea) => {
  const MIME = "application/vnd.arbitrage-lab.plotly";
  const PLOT_CLASS = "arbitrage-lab-plot";
  let plotly = null;

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise((resolve, reject) => {
        // Under the page's RequireJS a UMD build registers as a module (the callback's argument); a
        // build that only sets window.Plotly leaves the argument undefined. Either way, once loaded:
        const url = `${Jupyter.notebook ? Jupyter.notebook.base_url : "/"}custom/plotly.min.js`;
        requirejs(
          [url],
          (module) => {
            resolve(module || window.Plotly);
          },
          reject,
        );
      });
    }
    return plotly;
  }

  function appendPlotly(text, md, element) {
    const toinsert = this.create_output_subarea(md, "output_html rendered_html", MIME);
    const figure = JSON.parse(text);
    const height = figure.layout?.height || 380;
    const div = document.createElement("div");
    div.className = PLOT_CLASS;
    div.style.width = "100%";
    div.style.minHeight = `${height}px`;
    toinsert.append(div);
    element.append(toinsert);
    loadPlotly().then(
      (Plotly) => {
        window.Plotly = window.Plotly || Plotly;
        Plotly.newPlot(div, figure.data, figure.layout, figure.config);
      },
      (error) => {
        div.textContent = `plotly.js did not load from /custom/plotly.min.js (run npm run lab, which installs it): ${error}`;
      },
    );
    return toinsert;
  }

  outputarea.OutputArea.prototype.register_mime_type(MIME, appendPlotly, { safe: true, index: 0 });
  // custom.js loads asynchronously: chart outputs the page showed before the renderer existed
  // (as their text/plain summary) are drawn again.
  if (Jupyter.notebook) {
    Jupyter.notebook.get_cells().forEach((cell) => {
      if (cell.output_area?.outputs.some((o) => o.data?.[MIME])) {
        const outputs = cell.output_area.outputs.slice();
        cell.output_area.clear_output(false, true);
        outputs.forEach((o) => {
          cell.output_area.append_output(o);
        });
      }
    });
  }
});
