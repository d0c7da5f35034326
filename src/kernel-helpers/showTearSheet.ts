/**
 * Notebook display of a tear sheet: the offline HTML report of src/report/tearSheetHtml in a
 * sandboxed iframe (its styles cannot leak into the notebook), with the headline metrics as the
 * text/plain fallback. No mathematics: every number comes from src/lib's tearSheet.
 */
import { tearSheet } from "../lib/report/tearSheet.js";
import { tearSheetHtml, type TearSheetHtmlOptions } from "../report/tearSheetHtml.js";
import { escapeHtml } from "./formatValue.js";
import { kernelAdapter, type MimeBundle } from "./kernelAdapter.js";

/** Height of the iframe in pixels. */
const FRAME_HEIGHT = 1400;

/** The MIME bundle `showTearSheet` displays (for tests and custom kernels). */
export function tearSheetBundle(returns: ArrayLike<number>, options: TearSheetHtmlOptions): MimeBundle {
  const html = tearSheetHtml(returns, options);
  const sheet = tearSheet(returns, options);
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const text = [
    `${options.title ?? "Tear sheet"}: ${sheet.n} periods`,
    `  total return ${pct(sheet.totalReturn)}, CAGR ${pct(sheet.cagr)}, volatility ${pct(sheet.volatility)}`,
    `  Sharpe ${sheet.sharpe.toFixed(2)}, Sortino ${sheet.sortino.toFixed(2)}, max drawdown ${pct(sheet.maxDrawdown)}, Calmar ${sheet.calmar.toFixed(2)}`,
  ].join("\n");
  return {
    "text/html": `<iframe sandbox="" style="width:100%;height:${FRAME_HEIGHT}px;border:0" srcdoc="${escapeHtml(html)}"></iframe>`,
    "text/plain": text,
  };
}

/** Display the tear sheet of `returns` in the notebook (options as tearSheetHtml). */
export function showTearSheet(returns: ArrayLike<number>, options: TearSheetHtmlOptions): void {
  kernelAdapter().display(tearSheetBundle(returns, options));
}
