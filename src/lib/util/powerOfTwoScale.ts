/**
 * Smallest and largest max |x| that scale-invariant statistics use unscaled: 2^±256 keeps every
 * square, cross-product and sum of up to 2^250 of them inside the range of doubles.
 */
export const SAFE_MAGNITUDE_LOW = 2 ** -256;
export const SAFE_MAGNITUDE_HIGH = 2 ** 256;

/**
 * The power of two s = 2^⌊log₂ max|x|⌋ by which to divide x before computing a statistic that is
 * invariant (or equivariant) under scaling, or 1 when max |x| already lies in
 * [SAFE_MAGNITUDE_LOW, SAFE_MAGNITUDE_HIGH] or x is all zeros. Dividing by a power of two is exact
 * in binary floating point (no rounding, barring subnormal results), so a statistic computed on
 * x/s equals the one on x bit for bit wherever the latter does not overflow, and is finite where
 * squares of x would overflow (×1e298) or underflow (×1e−300).
 * Internal: used by adfuller, coint, fitOu and hurst.
 */
export function powerOfTwoScale(x: Float64Array): number {
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > maxAbs) maxAbs = a;
  }
  if (maxAbs === 0 || (maxAbs >= SAFE_MAGNITUDE_LOW && maxAbs <= SAFE_MAGNITUDE_HIGH)) return 1;
  return 2 ** Math.floor(Math.log2(maxAbs));
}

/** x / scale as a new array (x itself when scale is 1). */
export function divideByScale(x: Float64Array, scale: number): Float64Array {
  if (scale === 1) return x;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / scale;
  return out;
}
