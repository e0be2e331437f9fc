/**
 * GC-latency causality of one latency series (SPEC §2 "GC-latency causality", §4 `latency[].gc`).
 * A pure function of GC windows and operations (perf ns as JS numbers):
 *
 *   gcCausality({ windows, events: { startNs, durationNs } })
 *
 * - An operation [start, start + duration] overlaps a window [startNs, endNs] when the closed intervals
 *   intersect. Phases of a window: STW sweep termination [startNs, sweepTermEndNs], concurrent mark
 *   [sweepTermEndNs, markEndNs], STW mark termination [markEndNs, endNs] (closed too, so an operation
 *   touching a phase boundary counts for both phases). Windows are sorted by start (a sorted copy is
 *   made if needed; they may overlap); each operation is located by binary search plus a walk back over
 *   a prefix maximum of window ends: O(n log w) for non-overlapping windows.
 * - Slow thresholds are the series' own nearest-rank p99 and p99.9 of all durations; slow = >= threshold.
 * - Baseline of `lift` and of the test: the share of ALL operations overlapping GC (`overlapShare`),
 *   not the share of time GC covers. Long operations touch GC windows more often by mere length; the
 *   share of all operations that overlap already carries that length bias, so a lift of 1 means "slow
 *   operations overlap GC no more than operations in general". `gcTimeShare` (union of windows clipped
 *   to the span) is reported for reference.
 * - `pValue`: one-sided exact binomial test, P(X >= slowInside), X ~ Binomial(slowCount, overlapShare),
 *   computed in log space (stats.ts). It treats operations as independent draws, which bursts of
 *   back-to-back operations violate somewhat; it is evidence, not proof.
 * - Verdict (thresholds in `GC_CAUSALITY_DEFAULTS`): `insufficient-data` when fewer than `minEvents`
 *   operations, fewer than `minSlow` operations >= p99, or no windows; `gc-explains` when the p99 lift is
 *   >= `minLift` and its pValue < `maxPValue`; otherwise `no-evidence`.
 */
import type {
  CycleCausality,
  DurationStats,
  GcCausality,
  GcVerdict,
  PhaseCausality,
  SlowTest,
} from '../../model/causality.js';
import { percentile } from '../latency/series.js';
import { binomialUpperTail } from './stats.js';
import type { GcWindow as ModelGcWindow } from '../../model/gc.js';

/** Verdict thresholds. */
export interface GcCausalityThresholds {
  /** Fewer operations than this: `insufficient-data`. */
  minEvents: number;
  /** Fewer operations >= p99 than this: `insufficient-data`. */
  minSlow: number;
  /** `gc-explains` needs the p99 lift at least this... */
  minLift: number;
  /** ...and the p99 pValue strictly below this. */
  maxPValue: number;
}

export const GC_CAUSALITY_DEFAULTS: Readonly<GcCausalityThresholds> = Object.freeze({
  minEvents: 100,
  minSlow: 10,
  minLift: 2,
  maxPValue: 0.01,
});

/** A GC window as the model has it (shared/model/gc.ts), without what causality does not use. */
export type GcWindow = Omit<ModelGcWindow, 'forced'>;

export interface GcCausalityInput {
  windows: GcWindow[];
  events: { startNs: Float64Array | number[]; durationNs: Float64Array | number[] };
  /** The observed span; default: first event start -> last event end. */
  spanNs?: { startNs: number; endNs: number };
  /** Reserved for a permutation test; the exact binomial test used now needs no randomness. */
  seed?: number;
  /** Overrides `GC_CAUSALITY_DEFAULTS.minEvents`. */
  minEvents?: number;
  /** Overrides of the other verdict thresholds. */
  thresholds?: Partial<GcCausalityThresholds>;
}

// Overlap categories: any part of the window, then the three phases.
const ANY = 0;
const STW1 = 1;
const MARK = 2;
const STW2 = 3;
const CATS = 4;

function distribution(values: Float64Array, n: number): DurationStats {
  const sorted = values.subarray(0, n).sort();
  return {
    count: n,
    p50Ns: percentile(sorted, 0.5),
    p90Ns: percentile(sorted, 0.9),
    p99Ns: percentile(sorted, 0.99),
    p999Ns: percentile(sorted, 0.999),
    maxNs: n === 0 ? 0 : sorted[n - 1]!,
  };
}

function slowTest(thresholdNs: number, slowCount: number, slowInside: number, overlapCount: number, total: number): SlowTest {
  const overlapShare = total === 0 ? 0 : overlapCount / total;
  const slowInsideShare = slowCount === 0 ? 0 : slowInside / slowCount;
  const lift = overlapShare === 0 ? null : slowInsideShare / overlapShare;
  const pValue = slowCount === 0 ? 1 : binomialUpperTail(slowCount, slowInside, overlapShare);
  return { thresholdNs, slowCount, slowInside, slowInsideShare, overlapShare, lift, pValue };
}

/** Length of the union of intervals (sorted by start), clipped to [lo, hi]. */
function unionLength(intervals: Array<[number, number]>, lo: number, hi: number): number {
  let total = 0;
  let curS = NaN;
  let curE = NaN;
  for (const [s0, e0] of intervals) {
    const s = Math.max(s0, lo);
    const e = Math.min(e0, hi);
    if (!(e > s)) continue;
    if (Number.isNaN(curS) || s > curE) {
      if (!Number.isNaN(curS)) total += curE - curS;
      curS = s;
      curE = e;
    } else if (e > curE) curE = e;
  }
  if (!Number.isNaN(curS)) total += curE - curS;
  return total;
}

export function gcCausality(input: GcCausalityInput): GcCausality {
  const th: GcCausalityThresholds = {
    ...GC_CAUSALITY_DEFAULTS,
    ...(input.minEvents !== undefined ? { minEvents: input.minEvents } : {}),
    ...input.thresholds,
  };
  const starts = input.events.startNs;
  const durs = input.events.durationNs;
  if (starts.length !== durs.length) throw new RangeError('gcCausality: startNs and durationNs differ in length');
  const total = starts.length;

  // Windows: sorted copy with phase boundaries clamped into order.
  const ws = input.windows
    .map((w) => {
      const startNs = w.startNs;
      const endNs = Math.max(w.endNs, startNs);
      const st = Math.min(Math.max(w.sweepTermEndNs, startNs), endNs);
      const me = Math.min(Math.max(w.markEndNs, st), endNs);
      return { n: w.n, startNs, sweepTermEndNs: st, markEndNs: me, endNs };
    })
    .sort((a, b) => a.startNs - b.startNs || a.endNs - b.endNs);
  const W = ws.length;
  const wStart = new Float64Array(W);
  const wMaxEnd = new Float64Array(W); // prefix maximum of window ends
  for (let i = 0; i < W; i++) {
    wStart[i] = ws[i]!.startNs;
    wMaxEnd[i] = Math.max(i > 0 ? wMaxEnd[i - 1]! : -Infinity, ws[i]!.endNs);
  }

  // Span.
  let spanStart: number;
  let spanEnd: number;
  if (input.spanNs) {
    spanStart = input.spanNs.startNs;
    spanEnd = input.spanNs.endNs;
  } else if (total > 0) {
    spanStart = Infinity;
    spanEnd = -Infinity;
    for (let i = 0; i < total; i++) {
      const s = starts[i]!;
      const e = s + durs[i]!;
      if (s < spanStart) spanStart = s;
      if (e > spanEnd) spanEnd = e;
    }
  } else {
    spanStart = 0;
    spanEnd = 0;
  }
  const spanLen = spanEnd - spanStart;
  const share = (iv: Array<[number, number]>): number => (spanLen > 0 ? unionLength(iv, spanStart, spanEnd) / spanLen : 0);
  const gcTimeShare = share(ws.map((w): [number, number] => [w.startNs, w.endNs]));
  const phaseTime = [
    share(ws.map((w): [number, number] => [w.startNs, w.sweepTermEndNs])),
    share(ws.map((w): [number, number] => [w.sweepTermEndNs, w.markEndNs]).sort((a, b) => a[0] - b[0])),
    share(ws.map((w): [number, number] => [w.markEndNs, w.endNs]).sort((a, b) => a[0] - b[0])),
  ];

  // Slow thresholds from the whole series.
  const all = Float64Array.from(durs).sort();
  const t99 = percentile(all, 0.99);
  const t999 = percentile(all, 0.999);

  // Per-operation overlap.
  const overlap = new Float64Array(CATS);
  const slow99 = new Float64Array(CATS);
  const slow999 = new Float64Array(CATS);
  let n99 = 0;
  let n999 = 0;
  const insideD = new Float64Array(total);
  const outsideD = new Float64Array(total);
  let nIn = 0;
  let nOut = 0;
  const cyc = ws.map((w): CycleCausality => ({ n: w.n, startNs: w.startNs, endNs: w.endNs, ops: 0, slowOps: 0, maxNs: 0 }));
  const hit = [false, false, false, false];

  for (let k = 0; k < total; k++) {
    const a = starts[k]!;
    const d = durs[k]!;
    const b = a + d;
    const is99 = d >= t99;
    const is999 = d >= t999;
    if (is99) n99++;
    if (is999) n999++;
    hit[ANY] = hit[STW1] = hit[MARK] = hit[STW2] = false;
    // Last window with startNs <= b.
    let lo = 0;
    let hi = W;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (wStart[mid]! <= b) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && wMaxEnd[i]! >= a; i--) {
      const w = ws[i]!;
      if (w.endNs < a) continue;
      hit[ANY] = true;
      if (w.sweepTermEndNs >= a) hit[STW1] = true; // w.startNs <= b already holds
      if (w.sweepTermEndNs <= b && w.markEndNs >= a) hit[MARK] = true;
      if (w.markEndNs <= b) hit[STW2] = true; // w.endNs >= a already holds
      const c = cyc[i]!;
      c.ops++;
      if (is99) c.slowOps++;
      if (d > c.maxNs) c.maxNs = d;
    }
    for (let c = 0; c < CATS; c++) {
      if (!hit[c]) continue;
      overlap[c]!++;
      if (is99) slow99[c]!++;
      if (is999) slow999[c]!++;
    }
    if (hit[ANY]) insideD[nIn++] = d;
    else outsideD[nOut++] = d;
  }

  const test = (c: number, which: 99 | 999): SlowTest =>
    which === 99 ? slowTest(t99, n99, slow99[c]!, overlap[c]!, total) : slowTest(t999, n999, slow999[c]!, overlap[c]!, total);
  const phase = (c: number): PhaseCausality => ({
    timeShare: phaseTime[c - 1]!,
    overlapCount: overlap[c]!,
    p99: test(c, 99),
    p999: test(c, 999),
  });
  const p99 = test(ANY, 99);
  const p999 = test(ANY, 999);

  let verdict: GcVerdict;
  let verdictReason: string;
  if (W === 0) {
    verdict = 'insufficient-data';
    verdictReason = 'no GC windows';
  } else if (total < th.minEvents) {
    verdict = 'insufficient-data';
    verdictReason = `${total} operations, fewer than ${th.minEvents}`;
  } else if (n99 < th.minSlow) {
    verdict = 'insufficient-data';
    verdictReason = `${n99} operations at or above p99, fewer than ${th.minSlow}`;
  } else if (p99.lift !== null && p99.lift >= th.minLift && p99.pValue < th.maxPValue) {
    verdict = 'gc-explains';
    verdictReason = `p99 lift ${p99.lift.toFixed(2)} >= ${th.minLift} with p = ${p99.pValue.toExponential(2)} < ${th.maxPValue}`;
  } else {
    verdict = 'no-evidence';
    verdictReason =
      p99.lift === null
        ? 'no operation overlaps a GC window'
        : `p99 lift ${p99.lift.toFixed(2)} (need >= ${th.minLift}) with p = ${p99.pValue.toExponential(2)} (need < ${th.maxPValue})`;
  }

  return {
    count: total,
    windows: W,
    spanNs: { startNs: spanStart, endNs: spanEnd },
    gcTimeShare,
    overlapShare: p99.overlapShare,
    inside: distribution(insideD, nIn),
    outside: distribution(outsideD, nOut),
    p99,
    p999,
    slowInsideShare: p99.slowInsideShare,
    lift: p99.lift,
    pValue: p99.pValue,
    phases: { sweepTermination: phase(STW1), mark: phase(MARK), markTermination: phase(STW2) },
    cycles: cyc,
    verdict,
    verdictReason,
  };
}
