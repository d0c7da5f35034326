// Trading signals from a fitted OU model, consistent with the backtester's rules.
export { generateSignal } from "./generateSignal.js"; // buy/sell/exit/hold with OU confidence and expected profit
export type { GenerateSignalInput, SignalResult, SignalLevels } from "./generateSignal.js";
export { avellanedaLeeScores } from "./avellanedaLeeScores.js"; // Avellaneda–Lee (2010) PCA residual s-scores and signals
export type { AvellanedaLeeOptions, AvellanedaLeeResult } from "./avellanedaLeeScores.js";
