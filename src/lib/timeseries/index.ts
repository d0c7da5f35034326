// Time series: lag matrices, unit-root and cointegration tests, their critical values.
export { lagMatrix } from "./lagMatrix.js"; // lagged copies of a series (statsmodels lagmat)
export type { LagMatrixOptions } from "./lagMatrix.js";
export { mackinnonp, mackinnoncrit } from "./mackinnon.js"; // MacKinnon (1994) p-values, (2010) critical values
export type { CriticalValues, MackinnonRegression, MackinnonPOptions, MackinnonCritOptions } from "./mackinnon.js";
export { adfuller } from "./adfuller.js"; // augmented Dickey–Fuller test (statsmodels adfuller)
export type { AdfullerResult, AdfullerOptions, AdfRegression, AdfAutolag } from "./adfuller.js";
export { coint } from "./coint.js"; // Engle–Granger cointegration test (statsmodels coint)
export type { CointResult, CointOptions } from "./coint.js";
export { johansen } from "./johansen.js"; // Johansen cointegration rank test (statsmodels coint_johansen)
export type { JohansenResult, JohansenOptions, JohansenCriticalValues } from "./johansen.js";
export { hurst } from "./hurst.js"; // Hurst exponent of a path: variance scaling, Anis–Lloyd R/S, DFA-1
export type { HurstResult, HurstOptions, HurstMethod } from "./hurst.js";
export { simulateFbm, simulateFgn, fgnAutocovariance } from "./simulateFbm.js"; // exact fBm/fGn (Davies–Harte)
export type { SimulateFbmOptions } from "./simulateFbm.js";
