// Hedge ratios: static estimators of β in the spread y − α − β·x (OLS lives in stats/ols).
export { tlsHedge } from "./tlsHedge.js"; // orthogonal (total least squares) regression, equal error variances
export type { TlsHedgeResult } from "./tlsHedge.js";
export { johansenHedge } from "./johansenHedge.js"; // first Johansen cointegrating vector normalised on y
export type { JohansenHedgeOptions, JohansenHedgeResult } from "./johansenHedge.js";
export { boxTiaoHedge } from "./boxTiaoHedge.js"; // Box–Tiao least predictable (most mean-reverting) combination
export type { BoxTiaoHedgeResult } from "./boxTiaoHedge.js";
export { minHalfLifeHedge } from "./minHalfLifeHedge.js"; // β minimising the spread's AR(1) half-life, exact bounded search
export type { MinHalfLifeHedgeOptions, MinHalfLifeHedgeResult } from "./minHalfLifeHedge.js";
