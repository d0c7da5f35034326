// Reporting: performance summaries of a return series (the numbers; HTML lives in src/report).
export { tearSheet } from "./tearSheet.js"; // returns, CAGR, Sharpe, Sortino, drawdowns, VaR/CVaR, monthly and rolling tables
export type { TearSheet, TearSheetOptions, TearSheetBenchmark, MonthlyReturn } from "./tearSheet.js";
