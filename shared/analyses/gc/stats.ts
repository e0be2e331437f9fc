/**
 * Small, dependency-free statistics for the GC-latency causality test (SPEC §2 "GC-latency causality").
 *
 * - `logFactorial(n)`: exact summation below 256, Stirling series above (relative error < 1e-15).
 * - `binomialUpperTail(k, x, p)`: P(X >= x) for X ~ Binomial(k, p), one-sided, exact. Computed in log
 *   space from the pmf at the start term with the ratio recurrence, summing only until the terms are
 *   negligible, so it is stable (no overflow / cancellation) and fast for k up to many millions.
 * - `mulberry32(seed)`: a seeded PRNG for deterministic tests and simulations.
 */

const SMALL = 256;
const LOG_FACT: Float64Array = (() => {
  const t = new Float64Array(SMALL);
  for (let i = 2; i < SMALL; i++) t[i] = t[i - 1]! + Math.log(i);
  return t;
})();

/** ln(n!) for integer n >= 0. */
export function logFactorial(n: number): number {
  if (n < 0 || !Number.isInteger(n)) throw new RangeError(`logFactorial: ${n}`);
  if (n < SMALL) return LOG_FACT[n]!;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return (
    n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
  );
}

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln P(X = i) for X ~ Binomial(k, p), 0 < p < 1. */
export function binomialLogPmf(k: number, i: number, p: number): number {
  if (i < 0 || i > k) return -Infinity;
  if (p <= 0) return i === 0 ? 0 : -Infinity;
  if (p >= 1) return i === k ? 0 : -Infinity;
  return logChoose(k, i) + i * Math.log(p) + (k - i) * Math.log1p(-p);
}

/** Relative size below which a further tail term no longer changes a double sum. */
const NEGLIGIBLE = 1e-17;

/**
 * One-sided exact binomial test: P(X >= x) for X ~ Binomial(k, p).
 *
 * When x lies above the mode, sums the pmf upward from x (terms fall monotonically); otherwise returns
 * 1 - P(X <= x - 1), summing downward from x - 1 (terms fall monotonically there too). Terms are kept
 * relative to the first one (ratio recurrence), and the log of the first one is added at the end, so
 * the result underflows to 0 only when the true value is below ~1e-308.
 */
export function binomialUpperTail(k: number, x: number, p: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(x) || k < 0) throw new RangeError(`binomialUpperTail: k=${k} x=${x}`);
  if (x <= 0) return 1;
  if (x > k) return 0;
  if (!(p > 0)) return 0; // X is always 0 < x
  if (p >= 1) return 1; // X is always k >= x
  const odds = p / (1 - p);
  const mode = Math.floor((k + 1) * p);
  if (x > mode) {
    // Upward from x: term(i+1)/term(i) = (k - i)/(i + 1) * odds < 1 for i >= mode.
    let term = 1;
    let sum = 1;
    for (let i = x; i < k; i++) {
      term *= ((k - i) / (i + 1)) * odds;
      sum += term;
      if (term < sum * NEGLIGIBLE) break;
    }
    return Math.min(1, Math.exp(binomialLogPmf(k, x, p) + Math.log(sum)));
  }
  // 1 - P(X <= x - 1), downward from x - 1: term(i-1)/term(i) = i/(k - i + 1) / odds < 1 for i <= mode.
  const start = x - 1;
  let term = 1;
  let sum = 1;
  for (let i = start; i > 0; i--) {
    term *= i / (k - i + 1) / odds;
    sum += term;
    if (term < sum * NEGLIGIBLE) break;
  }
  const lower = Math.exp(binomialLogPmf(k, start, p) + Math.log(sum));
  return Math.min(1, Math.max(0, 1 - lower));
}

/** Seeded 32-bit PRNG (mulberry32): uniform doubles in [0, 1). Deterministic for a given seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
