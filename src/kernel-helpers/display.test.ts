import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordingAdapter, setKernelAdapter } from "./kernelAdapter.js";
import { figureBundle, show, PLOTLY_MIME } from "./show.js";
import { lineChart } from "./lineChart.js";
import { heatmapChart } from "./heatmapChart.js";
import { equityChart } from "./equityChart.js";
import { labelRows, valueFunctionChart } from "./valueFunctionChart.js";
import { isLibraryFrame, longStackTraces, shortStackTraces } from "./shortStackTraces.js";
import { scatterChart } from "./scatterChart.js";
import { table, tableBundle } from "./table.js";
import { progress } from "./progress.js";
import { escapeMarkdown, formatNumber, formatValue, scriptSafeJson } from "./formatValue.js";
import * as aq from "arquero";

let recorder: ReturnType<typeof recordingAdapter>;
beforeEach(() => {
  recorder = recordingAdapter();
  setKernelAdapter(recorder);
});
afterEach(() => setKernelAdapter(null));

describe("show", () => {
  it("emits the figure as a JSON string under its own MIME type, no plotly.js and no script, plus text/plain", () => {
    const fig = lineChart([{ name: "a", y: [1, 2, 3] }], { title: "T" });
    show(fig);
    expect(recorder.records).toHaveLength(1);
    const bundle = recorder.records[0]!.bundle;
    expect(Object.keys(bundle).sort()).toEqual([PLOTLY_MIME, "text/plain"].sort());
    const figure = JSON.parse(bundle[PLOTLY_MIME]!) as { data: { y: number[] }[]; layout: { height: number }; config: object };
    expect(figure.data[0]!.y).toEqual([1, 2, 3]);
    expect(figure.layout.height).toBe(380);
    expect(figure.config).toMatchObject({ responsive: true, displaylogo: false });
    expect(bundle[PLOTLY_MIME]).not.toMatch(/<script|Plotly/);
    expect(bundle["text/plain"]).toBe('Figure "T" (1 trace)\n  scatter "a" (3 points)');
  });

  it("a 2,000-point chart output stays small (the notebook stores only the numbers)", () => {
    const y = Float64Array.from({ length: 2000 }, (_, i) => Math.sin(i / 37) * 1.2345678901234567 + i / 1000);
    const payload = figureBundle(lineChart([{ name: "s", y }]))[PLOTLY_MIME]!;
    // JSON of 2,000 full-precision doubles is at most 24 bytes each; the rest is layout.
    expect(payload.length).toBeLessThan(2000 * 24 + 2000);
    expect(payload.length).toBeGreaterThan(2000 * 5);
  });

  it("serialises typed arrays as JSON arrays and NaN as null, with no raw < or > in the payload", () => {
    const json = scriptSafeJson({ y: new Float64Array([1, NaN, 3]), label: "</script><b>" });
    expect(json).toBe('{"y":[1,null,3],"label":"\\u003c/script\\u003e\\u003cb\\u003e"}');
    const payload = figureBundle(lineChart([{ name: "</script>", y: new Float64Array([1, NaN]) }]))[PLOTLY_MIME]!;
    expect(payload).not.toMatch(/[<>]/);
    expect(payload).toContain('"y":[1,null]');
  });

  it("rejects something that is not a figure", () => {
    expect(() => show({} as never)).toThrow(/show: figure must be/);
  });
});

describe("chart builders", () => {
  it("lineChart checks x/y lengths and names the series", () => {
    expect(() => lineChart([{ name: "s", y: [1, 2] }], { x: ["2020-01-01"] })).toThrow(
      /lineChart: series\[0\] \("s"\) has 2 y values but 1 x values/,
    );
    const fig = lineChart(
      [
        { name: "p", y: [1, 2] },
        { name: "q", y: [3, 4], rightAxis: true },
      ],
      { referenceLines: [{ y: 1.5, name: "mean" }] },
    );
    expect(fig.data[1]!.yaxis).toBe("y2");
    expect((fig.layout.shapes as unknown[]).length).toBe(1);
  });

  it("heatmapChart accepts row-major matrices and rows alike", () => {
    const a = heatmapChart({ rows: 2, cols: 2, data: new Float64Array([1, 2, 3, NaN]) }, { xLabels: ["a", "b"] });
    const b = heatmapChart(
      [
        [1, 2],
        [3, NaN],
      ],
      { xLabels: ["a", "b"] },
    );
    expect(a.data[0]!.z).toEqual([
      [1, 2],
      [3, null],
    ]);
    expect(b.data[0]!.z).toEqual(a.data[0]!.z);
    expect(() => heatmapChart([[1, 2]], { xLabels: ["a"] })).toThrow(/xLabels has 1 labels for 2 columns/);
  });

  it("equityChart draws drawdown downwards as a percentage and validates lengths", () => {
    const fig = equityChart({ equity: [100, 110, 99], drawdown: [0, 0, 0.1] });
    expect(fig.data.at(-1)!.y).toEqual([-0, -0, -10]);
    expect(() => equityChart({ equity: [1, 2], drawdown: [0] })).toThrow(/drawdown must have the equity's length 2/);
  });

  it("valueFunctionChart marks finite levels only", () => {
    const fig = valueFunctionChart({
      x: [0, 1, 2],
      curves: [{ name: "V", y: [0, 1, 2] }],
      levels: [
        { name: "b*", value: 1.5 },
        { name: "d*", value: null },
      ],
    });
    expect((fig.layout.shapes as unknown[]).length).toBe(1);
    expect(() => valueFunctionChart({ x: [0, 1], curves: [{ name: "V", y: [1] }], levels: [] })).toThrow(
      /curve "V" has 1 values on a grid of 2/,
    );
  });

  it("scatterChart spans fitted lines over the data range", () => {
    const fig = scatterChart([{ name: "pts", x: [1, 3, 2], y: [2, 6, 4] }], { lines: [{ name: "fit", slope: 2, intercept: 0 }] });
    expect(fig.data[1]!.x).toEqual([1, 3]);
    expect(fig.data[1]!.y).toEqual([2, 6]);
  });
});

describe("table", () => {
  it("formats numbers for people", () => {
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(0.000012345)).toBe("1.234e-5");
    expect(formatNumber(Math.PI)).toBe("3.142");
    expect(formatNumber(-Infinity)).toBe("-∞");
    expect(formatValue(null)).toBe("—");
    expect(formatValue(new Float64Array(945))).toBe("Float64Array(945)");
    expect(formatValue(new Date(Date.UTC(2020, 0, 2)))).toBe("2020-01-02");
  });

  it("truncates long arquero tables to the first and last rows", () => {
    const t = aq.table({ i: Array.from({ length: 100 }, (_, k) => k), v: Array.from({ length: 100 }, (_, k) => k / 7) });
    const bundle = tableBundle(t, { maxRows: 6 });
    const text = bundle["text/plain"]!;
    expect(text.split("\n")[1]!.trim().startsWith("0")).toBe(true);
    expect(text).toContain("99");
    expect(text).not.toContain(" 50 ");
    expect(bundle["text/html"]).toContain("94 more rows");
    expect(text).toContain("100 rows × 2 columns");
  });

  it("takes row objects, keeps column order, escapes HTML and rejects unknown columns", () => {
    table(
      [
        { name: "<b>x</b>", p: 0.5 },
        { name: "y", p: 1e-9 },
      ],
      { columns: ["p", "name"] },
    );
    const html = recorder.records[0]!.bundle["text/html"]!;
    expect(html.indexOf(">p<")).toBeLessThan(html.indexOf(">name<"));
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(html).toContain("1e-9");
    expect(() => table([{ a: 1 }], { columns: ["b"] })).toThrow(/table: column "b" is not in the table/);
  });
});

describe("progress", () => {
  it("updates one display in place, throttled, and always draws the final state", () => {
    let clock = 0;
    const bar = progress(1000, { label: "pairs", throttleMs: 100, now: () => clock });
    for (let i = 0; i < 1000; i++) {
      clock += 1; // 1 ms per step: at most one redraw per 100 steps
      bar.tick();
    }
    bar.finish("done");
    const ids = new Set(recorder.records.map((r) => r.displayId));
    expect(ids.size).toBe(1);
    expect(recorder.records[0]!.update).toBe(false);
    expect(recorder.records.slice(1).every((r) => r.update)).toBe(true);
    expect(recorder.records.length).toBeGreaterThanOrEqual(10);
    expect(recorder.records.length).toBeLessThanOrEqual(12);
    expect(recorder.records.at(-1)!.bundle["text/plain"]).toBe("pairs [##############################] 1000/1000 in 1.0 s · done");
  });

  it("rejects a negative total", () => {
    expect(() => progress(-1)).toThrow(/progress: total must be a finite number ≥ 0, got -1/);
  });
});

describe("escapeMarkdown", () => {
  it("keeps a warning naming b*_L literal inside *emphasis* (no stray asterisk)", () => {
    const warning = "no entry region with stop-loss 0.5: V_L(x) − x − c ≤ 0 on (L, b*_L), so never entering is optimal (J ≡ 0)";
    const escaped = escapeMarkdown(warning);
    expect(escaped).toBe("no entry region with stop-loss 0.5: V\\_L(x) − x − c ≤ 0 on (L, b\\*\\_L), so never entering is optimal (J ≡ 0)");
    expect(escaped.replace(/\\([\\`*_[\]<>#|])/g, "$1")).toBe(warning);
  });
});

describe("valueFunctionChart level labels", () => {
  it("stack close levels in rows instead of overprinting, and leave distant ones on the first row", () => {
    const rows = labelRows(
      [
        { x: 0.625, text: "L = 0.6250" },
        { x: 0.64, text: "a*_L = 0.6400" },
        { x: 0.66, text: "d*_L = 0.6600" },
        { x: 1.5, text: "b*_L = 1.500" },
      ],
      0,
      2,
    );
    expect(rows.slice(0, 3).sort()).toEqual([0, 1, 2]);
    expect(rows[3]).toBe(0);
    const fig = valueFunctionChart({
      x: [0, 1, 2],
      curves: [{ name: "V", y: [1, 2, 3] }],
      levels: [
        { name: "L", value: 0.625 },
        { name: "a*_L", value: 0.64 },
        { name: "d*_L", value: 0.66 },
      ],
    });
    const shifts = (fig.layout.annotations as { yshift: number }[]).map((a) => a.yshift).sort((a, b) => a - b);
    expect(shifts).toEqual([0, 16, 32]);
    expect((fig.layout.margin as { t: number }).t).toBeGreaterThanOrEqual(20 + 18 + 32);
  });
});

describe("shortStackTraces", () => {
  it("hides bundle, package and Node frames and keeps the message and the caller's own frames", () => {
    expect(isLibraryFrame("/x/notebooks/lib/arbitrage-lab.js")).toBe(true);
    expect(isLibraryFrame("/x/node_modules/tslab/dist/executor.js")).toBe(true);
    expect(isLibraryFrame("node:internal/vm")).toBe(true);
    expect(isLibraryFrame("evalmachine.<anonymous>")).toBe(false);
    const long = new RangeError("coint: y too short").stack ?? "";
    expect(long).toContain("node_modules"); // vitest's own frames, shown by default
    shortStackTraces();
    try {
      const short = new RangeError("coint: y too short").stack ?? "";
      expect(short.split("\n")[0]).toBe("RangeError: coint: y too short");
      expect(short).toContain("display.test.ts");
      expect(short).not.toContain("node_modules");
    } finally {
      longStackTraces();
    }
    expect(new Error("again").stack).toContain("node_modules");
  });
});
