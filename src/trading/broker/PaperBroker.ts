/**
 * Paper broker: an order state machine and simulated fills, one cash-and-positions account per
 * strategy.
 *
 * States: new → accepted → partiallyFilled → filled, or → rejected (invalid order, unknown account),
 * or → cancelled (the part of an immediate-or-cancel order the book could not fill). Every order is
 * immediate-or-cancel at the bar it is sent on.
 *
 * Fill model (per order, quantity Q > 0, side ±1, the bar's close m):
 *   slippage "none": the whole Q at m (the backtest's fill; parity tests use it);
 *   slippage "book": walk the market-data service's book for that bar — the same deterministic
 *     book `/api/v3/depth?time=` returns (syntheticBook from the bar's high, low, close, volume) —
 *     buying up the asks or selling down the bids level by level; what the `levels` levels cannot
 *     hold is cancelled (state partiallyFilled → cancelled remainder, or cancelled with no fill).
 *   Fees per fill: |q|·price·feeBps/10⁴ + |q|·perUnit, plus fixedFee once per order that fills.
 * These are the backtest's cost terms (BacktestCosts bps, perUnit, fixedFee), so with slippage
 * "none" and the strategy's own costs the broker charges exactly what fillBook.ts charges.
 * Idempotent client order ids: submitting an id again returns the first order unchanged (no new fill).
 */
import { syntheticBook } from "../../lib/market/syntheticBook.js";
import type { LegBar } from "../KlineIntake.js";

export type OrderStatus = "new" | "accepted" | "partiallyFilled" | "filled" | "cancelled" | "rejected";

export interface FeeModel {
  /** Proportional fee, basis points of fill notional. */
  readonly feeBps: number;
  readonly perUnit: number;
  /** Per order that fills. */
  readonly fixedFee: number;
  readonly slippage: "none" | "book";
  /** Book levels walked with slippage "book" (default 100, the service's default depth). */
  readonly levels?: number;
}

export interface OrderRequest {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed quantity: > 0 buys, < 0 sells. */
  readonly quantity: number;
  /** Why the strategy trades (the backtest's exit reason or "entry"). */
  readonly reason: string;
}

export interface Order {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly quantity: number;
  readonly reason: string;
  status: OrderStatus;
  filledQuantity: number;
  averagePrice: number;
  fee: number;
  /** Why rejected / cancelled, else "". */
  note: string;
  /** Open time of the bar it was sent on. */
  readonly ts: number;
  /** States passed through, in order. */
  readonly history: OrderStatus[];
}

export interface Fill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed. */
  readonly quantity: number;
  readonly price: number;
  readonly fee: number;
  readonly ts: number;
}

export interface Account {
  cash: number;
  readonly positions: Map<string, number>;
  /** Last close seen per symbol (marks). */
  readonly marks: Map<string, number>;
}

/** Equity of an account at its marks: cash + Σ q·mark. */
export function accountEquity(account: Account): number {
  let equity = account.cash;
  for (const [symbol, quantity] of account.positions) if (quantity !== 0) equity += quantity * (account.marks.get(symbol) ?? 0);
  return equity;
}

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  new: ["accepted", "rejected"],
  accepted: ["partiallyFilled", "filled", "cancelled"],
  partiallyFilled: ["partiallyFilled", "filled", "cancelled"],
  filled: [],
  cancelled: [],
  rejected: [],
};

function moveTo(order: Order, status: OrderStatus): void {
  if (!TRANSITIONS[order.status].includes(status))
    throw new Error(`PaperBroker: illegal order transition ${order.status} → ${status} (${order.clientOrderId})`);
  order.status = status;
  order.history.push(status);
}

export class PaperBroker {
  readonly orders = new Map<string, Order>();
  readonly accounts = new Map<string, Account>();

  openAccount(strategyId: string, cash: number): Account {
    let account = this.accounts.get(strategyId);
    if (account === undefined) {
      account = { cash, positions: new Map(), marks: new Map() };
      this.accounts.set(strategyId, account);
    }
    return account;
  }

  /** Mark an account's position in `bar.symbol` at the bar's close. */
  mark(strategyId: string, bar: LegBar): void {
    this.accounts.get(strategyId)?.marks.set(bar.symbol, bar.close);
  }

  /**
   * Submit an immediate-or-cancel order against `bar` (the bar it is decided on); returns the order
   * and the fills it made (none for a repeated client order id).
   */
  submit(request: OrderRequest, bar: LegBar, fees: FeeModel): { order: Order; fills: Fill[] } {
    const existing = this.orders.get(request.clientOrderId);
    if (existing !== undefined) return { order: existing, fills: [] };
    const order: Order = {
      clientOrderId: request.clientOrderId,
      strategyId: request.strategyId,
      symbol: request.symbol,
      quantity: request.quantity,
      reason: request.reason,
      status: "new",
      filledQuantity: 0,
      averagePrice: 0,
      fee: 0,
      note: "",
      ts: bar.ts,
      history: ["new"],
    };
    this.orders.set(order.clientOrderId, order);
    const account = this.accounts.get(request.strategyId);
    if (account === undefined || !(Math.abs(request.quantity) > 0 && Number.isFinite(request.quantity)) || bar.symbol !== request.symbol) {
      order.note =
        account === undefined
          ? `no account for strategy ${request.strategyId}`
          : bar.symbol !== request.symbol
            ? `bar is ${bar.symbol}, order is ${request.symbol}`
            : `quantity must be a finite non-zero number, got ${request.quantity}`;
      moveTo(order, "rejected");
      return { order, fills: [] };
    }
    moveTo(order, "accepted");
    const side = Math.sign(request.quantity);
    const wanted = Math.abs(request.quantity);
    const fills: Fill[] = [];
    const fillAt = (quantity: number, price: number): void => {
      const fee = quantity * Math.abs(price) * (fees.feeBps / 1e4) + quantity * fees.perUnit + (fills.length === 0 ? fees.fixedFee : 0);
      const signed = side * quantity;
      fills.push({
        fillId: `${order.clientOrderId}#${fills.length + 1}`,
        clientOrderId: order.clientOrderId,
        strategyId: order.strategyId,
        symbol: order.symbol,
        quantity: signed,
        price,
        fee,
        ts: bar.ts,
      });
      account.cash -= signed * price + fee;
      account.positions.set(order.symbol, (account.positions.get(order.symbol) ?? 0) + signed);
      order.averagePrice = (order.averagePrice * order.filledQuantity + price * quantity) / (order.filledQuantity + quantity);
      order.filledQuantity += quantity;
      order.fee += fee;
      moveTo(order, order.filledQuantity >= wanted ? "filled" : "partiallyFilled");
    };
    if (fees.slippage === "none") fillAt(wanted, bar.close);
    else {
      const book = syntheticBook({ high: bar.high, low: bar.low, close: bar.close, volume: bar.volume }, { levels: fees.levels ?? 100 });
      const prices = side > 0 ? book.askPrices : book.bidPrices;
      const sizes = side > 0 ? book.askSizes : book.bidSizes;
      let left = wanted;
      for (let level = 0; level < prices.length && left > 0; level++) {
        const take = Math.min(left, sizes[level]);
        fillAt(take, prices[level]);
        left -= take;
      }
      if (left > 0) {
        order.note = `the book's ${prices.length} levels held ${wanted - left} of ${wanted}; the rest was cancelled`;
        moveTo(order, "cancelled");
      }
    }
    account.marks.set(order.symbol, bar.close);
    return { order, fills };
  }

  /** Restore an order and its fills from durable state (recovery), without re-filling. */
  restore(order: Order): void {
    this.orders.set(order.clientOrderId, order);
  }
}
