// A book of pairs on shared capital: allocation, netting, caps, borrow fees and attribution.
export { backtestBook } from "./backtestBook.js"; // N pairs in one account, trades netted per instrument
export type {
  BacktestBookInput,
  BacktestBookResult,
  BookPair,
  BookCaps,
  BookCapName,
  BookRefusal,
  BookFills,
  BookTrade,
} from "./backtestBook.js";
export { allocationWeights } from "./allocationWeights.js"; // equal, inverse-volatility and risk-parity weights from spread returns
export type { AllocationMethod, AllocationWeightsOptions, AllocationWeightsResult } from "./allocationWeights.js";
