import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { tslabAdapter, consoleAdapter } from "./kernelAdapter.js";

// A stand-in for the running kernel's tslab/dist/jupyter.js in Node's module cache.
const cache = createRequire(`${process.cwd()}/`).cache;
const FAKE = "/fake/node_modules/tslab/dist/jupyter.js";
afterEach(() => {
  delete cache[FAKE];
});

describe("tslabAdapter", () => {
  it("is null outside a tslab kernel", () => {
    expect(tslabAdapter()).toBeNull();
  });

  it("sends every MIME type in one display_data and updates a handle in place by display_id", () => {
    const sent: { content: { data: Record<string, string>; transient: { display_id?: string } }; update: boolean }[] = [];
    cache[FAKE] = { exports: { lastWriteDisplayData: (content: never, update: boolean) => sent.push({ content, update }) } } as never;
    const adapter = tslabAdapter()!;
    expect(adapter.name).toBe("tslab");
    adapter.display({ "text/html": "<b>x</b>", "text/plain": "x" });
    const handle = adapter.createHandle();
    handle.update({ "text/plain": "1" });
    handle.update({ "text/plain": "2" });
    expect(sent[0]).toEqual({
      content: { data: { "text/html": "<b>x</b>", "text/plain": "x" }, metadata: {}, transient: {} },
      update: false,
    });
    const id = sent[1]!.content.transient.display_id;
    expect(id).toMatch(/^arbitrage-lab-/);
    expect(sent.slice(1).map((s) => [s.update, s.content.transient.display_id, s.content.data["text/plain"]])).toEqual([
      [false, id, "1"],
      [true, id, "2"],
    ]);
  });
});

describe("consoleAdapter", () => {
  it("prints the text/plain part", () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      consoleAdapter().display({ "text/html": "<i>h</i>", "text/plain": "plain" });
    } finally {
      process.stdout.write = original;
    }
    expect(written).toEqual(["plain\n"]);
  });
});
