import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bundledDataDir } from "./bundledDataDir.js";

const repoData = join(import.meta.dirname, "..", "..", "..", "data");
// A compiled-image layout: /app/dist/server/arblab.js beside /app/data/instruments.csv.
const scratch = mkdtempSync(join(tmpdir(), "bundled-data-dir-"));
const app = join(scratch, "app");
mkdirSync(join(app, "dist", "server"), { recursive: true });
mkdirSync(join(app, "data"));
writeFileSync(join(app, "data", "instruments.csv"), "symbol,name,sector,asset_class,currency,exchange\n");
const compiledEntry = pathToFileURL(join(app, "dist", "server", "arblab.js"));
const empty = join(scratch, "empty");
mkdirSync(empty);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("bundledDataDir", () => {
  it("finds the repository's data/ from src/data/ingest (tsx)", () => {
    expect(bundledDataDir({ env: {} })).toBe(repoData);
  });

  it("finds /app/data from the compiled bundle's folder (dist/server/)", () => {
    expect(bundledDataDir({ env: {}, from: compiledEntry })).toBe(join(app, "data"));
  });

  it("prefers ARBLAB_DATA_DIR over the search, and dataDir over ARBLAB_DATA_DIR", () => {
    expect(bundledDataDir({ env: { ARBLAB_DATA_DIR: join(app, "data") } })).toBe(join(app, "data"));
    expect(bundledDataDir({ dataDir: repoData, env: { ARBLAB_DATA_DIR: join(app, "data") } })).toBe(repoData);
    expect(bundledDataDir({ env: { ARBLAB_DATA_DIR: "  " }, from: compiledEntry })).toBe(join(app, "data"));
  });

  it("names the explicit directory and its source when it has no instruments.csv", () => {
    expect(() => bundledDataDir({ env: { ARBLAB_DATA_DIR: empty } })).toThrow(
      `bundledDataDir: ARBLAB_DATA_DIR=${empty} is not a bundled data directory (no instruments.csv there)`,
    );
    expect(() => bundledDataDir({ dataDir: empty, env: {} })).toThrow(`dataDir=${empty} is not a bundled data directory`);
  });

  it("lists the folders it searched and names ARBLAB_DATA_DIR when the search finds nothing", () => {
    const lonely = pathToFileURL(join(empty, "main.js"));
    let message = "";
    try {
      bundledDataDir({ env: {}, from: lonely });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`no data/instruments.csv found in ${join(empty, "data")}, ${join(scratch, "data")}`);
    expect(message).toContain("set ARBLAB_DATA_DIR");
  });
});
