// Hedge ratios: estimators of β (and α) for the spread y − α − β·x. OLS lives in stats/ols; rolling
// OLS and the static OLS hedge live with the backtester's hedge estimators
// (backtest/staticHedge.ts, backtest/rollingOlsHedge.ts).
export { kalmanHedge, fitKalmanHedge, KalmanHedgeFilter } from "./kalmanHedge.js"; // Kalman filter β_t, α_t (Chan 2013 ex. 3.3) and its ML fit of δ, Ve
export type { KalmanHedgeOptions, KalmanHedgeResult, FitKalmanHedgeOptions, FitKalmanHedgeResult } from "./kalmanHedge.js";
export { tlsHedge } from "./tlsHedge.js"; // orthogonal (total least squares) regression, equal error variances
export type { TlsHedgeResult } from "./tlsHedge.js";
export { johansenHedge } from "./johansenHedge.js"; // first Johansen cointegrating vector normalised on y
export type { JohansenHedgeOptions, JohansenHedgeResult } from "./johansenHedge.js";
export { boxTiaoHedge } from "./boxTiaoHedge.js"; // Box–Tiao least predictable (most mean-reverting) combination
export type { BoxTiaoHedgeResult } from "./boxTiaoHedge.js";
export { minHalfLifeHedge } from "./minHalfLifeHedge.js"; // β minimising the spread's AR(1) half-life, exact bounded search
export type { MinHalfLifeHedgeOptions, MinHalfLifeHedgeResult } from "./minHalfLifeHedge.js";
