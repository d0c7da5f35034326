// Statistics: returns, distributions and regression.
export { mean } from "./mean.js"; // arithmetic mean, compensated summation
export { variance } from "./variance.js"; // Welford variance, ddof option (default 1)
export type { VarianceOptions } from "./variance.js";
export { logReturns } from "./logReturns.js"; // ln(p_t / p_{t−1})
export { simpleReturns } from "./simpleReturns.js"; // p_t / p_{t−1} − 1
export { normalCdf, normalPdf, normalQuantile } from "./normal.js"; // standard normal (Cephes ndtr)
export { studentTCdf } from "./studentT.js"; // Student t cdf (incomplete beta)
export { ols } from "./ols.js"; // ordinary least squares by Householder QR, statsmodels OLS fields
export type { OlsResult, OlsOptions, Regressors } from "./ols.js";
export { quantile, quantileSorted } from "./quantile.js"; // sample quantile, linear interpolation (R type 7, numpy/pandas default)
export { benjaminiHochberg, qValueUpperBound, SortedPValues } from "./benjaminiHochberg.js"; // FDR q-values (step-up), streaming bound
