"""Execute one notebook headless with nbclient and export it to HTML (used by scripts/test-notebooks.ts).

Usage: /usr/bin/python3 scripts/run-notebook.py NOTEBOOK OUTPUT_DIR TIMEOUT_SECONDS

Never uses allow_errors: the first failing cell stops the run (tslab reports the error text only
in the cell's stderr stream, and with allow_errors it would silently skip later cells). The
executed notebook (partial on failure) and its HTML export are written to OUTPUT_DIR either way.
Prints one JSON line: {"ok", "seconds", "failedCell", "error"}.
Versions: nbclient 0.7, nbconvert 6.5, nbformat 5 (Debian bookworm).
"""
import copy
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter


def cell_error_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("%s: %s\n%s" % (out.get("ename"), out.get("evalue"), "\n".join(out.get("traceback", []))))
    return "".join(parts).strip()


PLOTLY_MIME = "application/vnd.arbitrage-lab.plotly"  # src/kernel-helpers/show.ts
PLOT_CLASS = "arbitrage-lab-plot"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLOTLY_JS = os.path.join(ROOT, "node_modules", "plotly.js-dist-min", "plotly.min.js")


def charts_as_html(nb):
    """A copy of the notebook for the HTML export: each chart output (PLOTLY_MIME, a JSON string that
    the notebook page draws with scripts/jupyter/custom.js) becomes a container and a drawing script,
    with plotly.js inlined once, before the first chart, so the file works offline on its own."""
    nb = copy.deepcopy(nb)
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            payload = data.pop(PLOTLY_MIME)
            if isinstance(payload, list):
                payload = "".join(payload)
            count += 1
            div_id = "%s-%d" % (PLOT_CLASS, count)
            height = json.loads(payload).get("layout", {}).get("height", 380)
            html = ""
            if count == 1:
                with open(PLOTLY_JS, encoding="utf-8") as f:
                    source = f.read().replace("</script", "<\\/script")
                html += '<script type="text/javascript" data-arbitrage-lab="plotly.js">\n%s\n</script>\n' % source
            # payload has no raw < or > (scriptSafeJson), so it cannot end the script early
            html += (
                '<div id="%s" class="%s" style="width:100%%;min-height:%spx"></div>\n'
                '<script type="text/javascript">(function () {\n'
                "  var figure = %s;\n"
                "  var el = document.getElementById(%s);\n"
                "  window.Plotly.newPlot(el, figure.data, figure.layout, figure.config);\n"
                "})();</script>" % (div_id, PLOT_CLASS, height, payload, json.dumps(div_id))
            )
            data["text/html"] = html
    return nb


def main():
    path, out_dir, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="tslab",
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    started = time.time()
    result = {"ok": True, "failedCell": None, "error": None}
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        result["ok"] = False
        failed = None
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell_error_text(cell):
                failed = index
        if failed is None:
            # the failing cell is the last one that ran
            ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")]
            failed = ran[-1] if ran else None
        result["failedCell"] = failed
        text = cell_error_text(nb.cells[failed]) if failed is not None else ""
        result["error"] = text or ("%s: %s" % (type(exc).__name__, str(exc).strip()[-2000:]))
    result["seconds"] = round(time.time() - started, 1)
    os.makedirs(out_dir, exist_ok=True)
    nbformat.write(nb, os.path.join(out_dir, name + ".ipynb"))
    body, _ = HTMLExporter().from_notebook_node(charts_as_html(nb))
    with open(os.path.join(out_dir, name + ".html"), "w", encoding="utf-8") as f:
        f.write(body)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
