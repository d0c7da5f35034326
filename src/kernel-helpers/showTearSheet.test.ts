import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tearSheet } from "../lib/report/tearSheet.js";
import { normalSource, randomSource } from "../lib/util/random.js";
import { recordingAdapter, setKernelAdapter } from "./kernelAdapter.js";
import { showTearSheet } from "./showTearSheet.js";

let recorder: ReturnType<typeof recordingAdapter>;
beforeEach(() => {
  recorder = recordingAdapter();
  setKernelAdapter(recorder);
});
afterEach(() => setKernelAdapter(null));

describe("showTearSheet", () => {
  it("displays the offline report in a sandboxed srcdoc iframe with a metrics text fallback", () => {
    const normal = normalSource(randomSource(2));
    const returns = Array.from({ length: 300 }, () => 0.0005 + 0.01 * normal());
    showTearSheet(returns, { periodsPerYear: 252, title: "A & B" });
    expect(recorder.records).toHaveLength(1);
    const bundle = recorder.records[0].bundle;
    const html = bundle["text/html"]!;
    expect(html.startsWith('<iframe sandbox=""')).toBe(true);
    expect(html).toContain('srcdoc="&lt;!DOCTYPE html&gt;');
    expect(html).not.toMatch(/srcdoc="[^"]*"[^>]*"/); // the document is fully attribute-escaped
    const sheet = tearSheet(returns, { periodsPerYear: 252 });
    expect(bundle["text/plain"]).toContain(`Sharpe ${sheet.sharpe.toFixed(2)}`);
    expect(bundle["text/plain"]!.startsWith("A & B: 300 periods")).toBe(true);
  });
});
