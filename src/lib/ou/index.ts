// Ornstein–Uhlenbeck mean reversion: estimation, half-life and exact simulation.
export { halfLife } from "./halfLife.js"; // half-life in steps from the OLS of Δx_t on [1, x_{t−1}]
export type { HalfLifeOptions } from "./halfLife.js";
export { fitOu } from "./fitOu.js"; // exact OU maximum likelihood via the AR(1) exact discretisation
export type { FitOuOptions, FitOuResult } from "./fitOu.js";
export { simulateOu } from "./simulateOu.js"; // exact-transition OU path with a seeded rng
export type { OuParameters, SimulateOuOptions } from "./simulateOu.js";
