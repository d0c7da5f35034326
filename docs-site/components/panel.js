// Price panels from the bundled CSVs (data/*.csv): date first, one close column per instrument.
// Parsing and alignment only (no mathematics: every statistic on the pages comes from src/lib).
// Missing-value policy, explicit: an empty, non-numeric or non-positive cell is missing (NaN);
// pair views keep the dates where both legs are present.

/** The bundled universes the pages offer (file name → description). */
export const DATASETS = [
  { file: "stock_prices.csv", name: "23 ETFs, 2008–2016" },
  { file: "sp100_prices.csv", name: "100 large US stocks (tickers A–CMI), 2017–2020" },
  { file: "Country_ETF.csv", name: "Country ETFs, 2016–2021" },
  { file: "gld_gdx_data.csv", name: "GLD / GDX, 2015" },
  { file: "ANZ-ADB.csv", name: "ANZ / ADB, 2001–2002" },
];

/** "2008-01-02" or "1/4/2016" (M/D/YYYY) → a UTC Date; throws naming the line on anything else. */
function parseDate(cell, line) {
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(cell);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell);
  if (m) return new Date(Date.UTC(+m[3], +m[1] - 1, +m[2]));
  throw new Error(`line ${line}: cannot read the date ${JSON.stringify(cell)} (expected YYYY-MM-DD or M/D/YYYY)`);
}

/** Parse a panel CSV into { symbols, dates, columns, aligned(a, b), matrix(symbols, first, last) }. */
export function loadPanel(text) {
  const lines = text.trim().split(/\r?\n/);
  const symbols = lines[0]
    .split(",")
    .slice(1)
    .map((s) => s.replace(/ US Equity$/, "").trim());
  const dates = [];
  const columns = symbols.map(() => []);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",");
    dates.push(parseDate(cells[0], i + 1));
    for (let j = 0; j < symbols.length; j++) {
      const cell = cells[j + 1];
      const v = cell === undefined || cell.trim() === "" ? NaN : Number(cell);
      columns[j].push(Number.isFinite(v) && v > 0 ? v : NaN);
    }
  }
  const index = new Map(symbols.map((s, j) => [s, j]));
  const column = (symbol) => {
    const j = index.get(symbol);
    if (j === undefined) throw new Error(`unknown symbol ${JSON.stringify(symbol)}`);
    return columns[j];
  };
  return {
    symbols,
    dates,
    columns,
    column,
    /** Rows { date, y, x } where both legs have a price. */
    aligned(first, second) {
      const a = column(first);
      const b = column(second);
      const rows = [];
      for (let i = 0; i < dates.length; i++) {
        if (Number.isFinite(a[i]) && Number.isFinite(b[i])) rows.push({ date: dates[i], y: a[i], x: b[i] });
      }
      return rows;
    },
    /** Close prices of `chosen` symbols as rows, keeping the dates where all are present. */
    complete(chosen) {
      const cols = chosen.map(column);
      const rows = [];
      const kept = [];
      for (let i = 0; i < dates.length; i++) {
        if (cols.every((c) => Number.isFinite(c[i]))) {
          rows.push(cols.map((c) => c[i]));
          kept.push(dates[i]);
        }
      }
      return { dates: kept, rows };
    },
  };
}

/** A download link for text content (CSV export); nothing leaves the browser. */
export function downloadLink(filename, text, label = `Download ${filename}`) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  a.download = filename;
  a.textContent = label;
  a.className = "download-link";
  return a;
}

/** Rows of objects → CSV text. */
export function toCsv(rows, columns = Object.keys(rows[0] ?? {})) {
  const cell = (v) =>
    v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === "string" && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

/** One visible message box (used instead of letting errors propagate into every dependent cell). */
export function messageBox(text) {
  const div = document.createElement("div");
  div.className = "lab-error";
  div.setAttribute("role", "alert");
  div.textContent = text;
  return div;
}

/** A hidden marker element carrying numbers for the browser test (data-* attributes). */
export function marker(id, data) {
  const span = document.createElement("span");
  span.id = id;
  span.hidden = true;
  for (const [k, v] of Object.entries(data)) span.dataset[k] = String(v);
  return span;
}

/** Fixed-decimals formatting that shows NaN/null as "—". */
export function fmt(v, digits = 4) {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);
}

/**
 * An empty node. Framework clears a cell's old output only when the cell displays again, so a
 * cell that displays conditionally starts with display(nothing()) to drop stale output.
 */
export function nothing() {
  return document.createComment("");
}
