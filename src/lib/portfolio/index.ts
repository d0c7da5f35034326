// Portfolio construction: eigenportfolios, covariance shrinkage, optimal weights and statistics.
export type { ReturnsInput } from "./returnsMatrix.js"; // T × N returns panel (matrix or rows)
export { pcaPortfolios } from "./pcaPortfolios.js"; // PCA eigenportfolios (sklearn-compatible signs)
export type { PcaPortfoliosOptions, PcaPortfoliosResult } from "./pcaPortfolios.js";
export { ledoitWolf } from "./ledoitWolf.js"; // Ledoit–Wolf shrunk covariance (sklearn LedoitWolf)
export type { LedoitWolfResult } from "./ledoitWolf.js";
export type { WeightConstraints } from "./weightConstraints.js"; // budget / long-only flags
export type { ShrinkageMethod } from "./estimateMoments.js"; // "none" | "ledoitWolf"
export { caraWeights } from "./caraWeights.js"; // mean–variance (CARA) optimum, constrained by exact QP
export type { CaraWeightsOptions, CaraWeightsResult } from "./caraWeights.js";
export { maxSharpeWeights } from "./maxSharpeWeights.js"; // tangency portfolio (long-only via QP)
export { efficientFrontier } from "./efficientFrontier.js"; // closed-form mean–variance frontier (Merton 1972)
export type { EfficientFrontierOptions, EfficientFrontierResult } from "./efficientFrontier.js";
export type { MaxSharpeWeightsOptions, MaxSharpeWeightsResult } from "./maxSharpeWeights.js";
export { multiperiodWeights } from "./multiperiodWeights.js"; // L1 turnover-penalised rebalancing
export type { MultiperiodWeightsOptions, MultiperiodWeightsResult, MultiperiodStep } from "./multiperiodWeights.js";
export { portfolioStats } from "./portfolioStats.js"; // moments, correlation, risk contributions
export type { PortfolioStatsResult } from "./portfolioStats.js";
