/**
 * RFC 4180 CSV into a RawTable without materialising a string per cell: the text is kept once and
 * each cell is a (start, end) pair, so a 2.5M-row file costs two Int32Arrays, not 17M strings.
 * Quoted fields ("a,b", "say ""hi""") are unescaped into a side table. CRLF and LF both end a row;
 * blank lines are skipped (their line numbers still count). A row with a different field count
 * than the header is an error naming file:line ("truncated file?" on the last line); so is an
 * unterminated quote.
 */
import { parseTimestamp } from "./parseTimestamp.js";
import { MISSING_TOKENS, type RawTable } from "./RawTable.js";

const COMMA = 44,
  QUOTE = 34,
  LF = 10,
  CR = 13,
  SPACE = 32,
  TAB = 9;
const MINUS = 45,
  PLUS = 43,
  DOT = 46,
  ZERO = 48,
  NINE = 57;
/** Exact powers of ten (fast decimal path: mantissa < 2^53 and ≤ 22 fraction digits is correctly rounded, Clinger 1990). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_FAST_MANTISSA = 2 ** 53;

/** Parse CSV text from `file` into a RawTable. @throws Error naming file:line and the rule */
export function csvTable(file: string, text: string): RawTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const n = text.length;
  let starts = new Int32Array(1 << 16),
    ends = new Int32Array(1 << 16);
  let lineOfRow = new Int32Array(1 << 12);
  let cells = 0,
    rows = 0,
    line = 1,
    width = -1;
  const quoted = new Map<number, string>();
  let header: string[] = [];
  let headerLine = 0;
  let i = 0;
  const push = (s: number, e: number) => {
    if (cells === starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      starts = grow(starts);
      ends = grow(ends);
    }
    starts[cells] = s;
    ends[cells] = e;
    cells++;
  };
  while (i < n) {
    // skip blank lines
    const c0 = text.charCodeAt(i);
    if (c0 === LF) {
      line++;
      i++;
      continue;
    }
    if (c0 === CR) {
      i++;
      continue;
    }
    const rowLine = line;
    const rowStartCell = cells;
    for (;;) {
      let s = i;
      if (text.charCodeAt(i) === QUOTE) {
        let out = "";
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new Error(`${file}:${rowLine}: unterminated quoted field (truncated file?)`);
          out += text.slice(j, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            out += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        for (let k = s; k < i; k++) if (text.charCodeAt(k) === LF) line++;
        quoted.set(cells, out);
        push(s, i);
        s = -1;
      } else {
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === LF || c === CR) break;
          i++;
        }
        push(s, i);
      }
      const c = i < n ? text.charCodeAt(i) : LF;
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === CR) i++;
      if (i < n && text.charCodeAt(i) === LF) i++;
      break;
    }
    const fields = cells - rowStartCell;
    if (width < 0) {
      width = fields;
      headerLine = rowLine;
      for (let k = rowStartCell; k < cells; k++) header.push(quoted.get(k) ?? text.slice(starts[k], ends[k]).trim());
      cells = 0;
      quoted.clear();
    } else {
      if (fields !== width) {
        const last = i >= n;
        throw new Error(`${file}:${rowLine}: expected ${width} fields as in the header, got ${fields}${last ? " (truncated file?)" : ""}`);
      }
      if (rows === lineOfRow.length) {
        const b = new Int32Array(rows * 2);
        b.set(lineOfRow);
        lineOfRow = b;
      }
      lineOfRow[rows++] = rowLine;
    }
    line++;
  }
  if (width < 0) throw new Error(`${file}: empty file (no header line)`);
  header = header.map((h) => h.trim());
  const cellText = (r: number, c: number): string => {
    const k = r * width + c;
    const q = quoted.get(k);
    return q !== undefined ? q.trim() : text.slice(starts[k], ends[k]).trim();
  };
  return {
    file,
    columns: header,
    rowCount: rows,
    headerWhere: `${file}:${headerLine}`,
    where: (r) => `${file}:${lineOfRow[r]}`,
    text: cellText,
    number: (r, c) => {
      const k = r * width + c;
      if (quoted.has(k)) {
        const t = quoted.get(k)!.trim();
        return t === "" ? Number.NaN : Number(t);
      }
      return parseDecimal(text, starts[k]!, ends[k]!);
    },
    isMissing: (r, c) => MISSING_TOKENS.has(cellText(r, c).toLowerCase()),
    timestamp: (r, c, epoch) => parseTimestamp(cellText(r, c), epoch),
  };
}

/** Decimal number in text[start, end): fast exact path for plain decimals, Number() otherwise; NaN if not a number. */
function parseDecimal(text: string, start: number, end: number): number {
  while (start < end && (text.charCodeAt(start) === SPACE || text.charCodeAt(start) === TAB)) start++;
  while (end > start && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === TAB)) end--;
  if (start === end) return Number.NaN;
  let i = start,
    sign = 1;
  const c0 = text.charCodeAt(i);
  if (c0 === MINUS) {
    sign = -1;
    i++;
  } else if (c0 === PLUS) i++;
  let mantissa = 0,
    fraction = 0,
    digits = 0,
    dot = false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      if (dot) fraction++;
    } else if (c === DOT && !dot) dot = true;
    else return slowNumber(text, start, end);
  }
  if (digits === 0) return Number.NaN;
  if (mantissa >= MAX_FAST_MANTISSA || fraction > 22) return slowNumber(text, start, end);
  return sign * (mantissa / POW10[fraction]!);
}

function slowNumber(text: string, start: number, end: number): number {
  const t = text.slice(start, end);
  // Number("") is 0 and Number("0x10") is 16: accept only decimal/exponent syntax.
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
}
