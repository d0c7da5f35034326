// Hedge ratios: estimators of β (and α) for the spread y − β·x. OLS and rolling OLS live with the
// backtester's hedge estimators (backtest/staticHedge.ts, backtest/rollingOlsHedge.ts).
export { kalmanHedge, fitKalmanHedge, KalmanHedgeFilter } from "./kalmanHedge.js"; // Kalman filter β_t, α_t (Chan 2013 ex. 3.3) and its ML fit of δ, Ve
export type { KalmanHedgeOptions, KalmanHedgeResult, FitKalmanHedgeOptions, FitKalmanHedgeResult } from "./kalmanHedge.js";
