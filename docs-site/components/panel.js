// Parse a date-first price panel CSV (as in data/*.csv) into columns, and align two symbols by
// dropping the dates where either is missing (the site's explicit missing-value policy).
export function loadPanel(text) {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const symbols = header.slice(1);
  const dates = [];
  const columns = symbols.map(() => []);
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    dates.push(new Date(cells[0]));
    for (let j = 0; j < symbols.length; j++) {
      const v = cells[j + 1] === "" || cells[j + 1] === undefined ? NaN : Number(cells[j + 1]);
      columns[j].push(v);
    }
  }
  const index = new Map(symbols.map((s, j) => [s, j]));
  return {
    symbols,
    aligned(first, second) {
      const a = columns[index.get(first)];
      const b = columns[index.get(second)];
      const rows = [];
      for (let i = 0; i < dates.length; i++) {
        if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && a[i] > 0 && b[i] > 0) rows.push({ date: dates[i], y: a[i], x: b[i] });
      }
      return rows;
    },
  };
}
