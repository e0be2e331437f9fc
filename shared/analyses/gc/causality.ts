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
 * - `lift` (SPEC §2): the share of slow operations overlapping GC windows over the share of time the
 *   windows cover (`gcTimeShare`, their union clipped to the span).
 * - The null hypothesis of the test is a permutation one: "which operations are slow has nothing to do
 *   with GC", i.e. a slow operation's duration could as well have been spent from any other observed
 *   start time of the series. A slow operation of duration d_i then overlaps GC with chance p_i = the
 *   share of the series' start times s with [s, s + d_i] touching a window. This corrects both biases
 *   of `gcTimeShare` as a baseline: length (an operation of duration d overlaps a window when it starts
 *   anywhere in [window start - d, window end], so a 5 ms cadence gap touches GC far more often than
 *   GC's time share says) and clustering (operations that run only part of the span, while GC windows
 *   are where the operations are). `expectedInsideShare` is the mean of p_i and `adjustedLift` =
 *   slowInsideShare / that.
 * - `pValue`: one-sided binomial test P(X >= slowInside), X ~ Binomial(slowCount, expectedInsideShare)
 *   (stats.ts, exact in log space). The exact null count is Poisson-binomial(p_1..p_k); in the upper tail
 *   the binomial with the same mean bounds it from above (Hoeffding 1956), and equals it when the p_i are
 *   equal, so the p-value is exact or conservative. It treats operations as independent draws, which
 *   bursts of back-to-back operations violate somewhat; it is evidence, not proof. `overlapShare` (share
 *   of ALL operations that overlap) is reported for reference.
 * - Verdict (thresholds in `GC_CAUSALITY_DEFAULTS`): `insufficient-data` when fewer than `minEvents`
 *   operations, fewer than `minSlow` operations >= p99, or no windows; `gc-explains` when the p99 lift is
 *   and the p99 `adjustedLift` are both >= `minLift` and its pValue < `maxPValue`; otherwise `no-evidence`.
 */
import type {
  CycleCausality,
  DurationStats,
  GcCausality,
  GcVerdict,
  PhaseCausality,
  SlowTest,
} from '../../model/causality.js';
import { durationStats, percentile } from '../latency/series.js';
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
  return durationStats(values.subarray(0, n).sort());
}

interface SlowCounts {
  thresholdNs: number;
  slowCount: number;
  slowInside: number;
  /** Sum of p_i over the slow operations (see the length-bias note above). */
  expectedInside: number;
  overlapCount: number;
  total: number;
  timeShare: number;
}

function slowTest(c: SlowCounts): SlowTest {
  const { thresholdNs, slowCount, slowInside, timeShare } = c;
  const overlapShare = c.total === 0 ? 0 : c.overlapCount / c.total;
  const slowInsideShare = slowCount === 0 ? 0 : slowInside / slowCount;
  const expectedInsideShare = slowCount === 0 ? timeShare : Math.min(1, c.expectedInside / slowCount);
  const lift = timeShare === 0 ? null : slowInsideShare / timeShare;
  const adjustedLift = expectedInsideShare === 0 ? null : slowInsideShare / expectedInsideShare;
  const pValue = slowCount === 0 ? 1 : binomialUpperTail(slowCount, slowInside, expectedInsideShare);
  return {
    thresholdNs,
    slowCount,
    slowInside,
    slowInsideShare,
    timeShare,
    expectedInsideShare,
    lift,
    adjustedLift,
    pValue,
    overlapShare,
  };
}

/** Index of the first value >= x (lower) or > x (upper) in ascending `v`. */
function bound(v: Float64Array, x: number, upper: boolean): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (upper ? v[m]! <= x : v[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Above this many (slow operation x window) steps, chances are read off a grid of durations. */
const EXACT_BUDGET = 20_000_000;
const GRID = 256;

/**
 * The permutation null's chance that an operation of duration d overlaps `merged` (disjoint, sorted):
 * the share of the series' observed start times s with [s, s + d] touching a window, i.e. s in the
 * union of [window start - d, window end]. O(windows x log n) per distinct d, memoised; when the slow
 * operations times the windows exceed EXACT_BUDGET, d is rounded UP to a grid of GRID quantiles of the
 * slow durations (the chance grows with d, so the p-value stays conservative).
 */
function overlapChance(
  merged: Array<[number, number]>,
  sortedStarts: Float64Array,
  slowDurations: Float64Array,
): (d: number) => number {
  const n = sortedStarts.length;
  if (n === 0 || merged.length === 0) return () => 0;
  const memo = new Map<number, number>();
  const exact = (d: number): number => {
    let hits = 0;
    let curA = NaN;
    let curB = NaN;
    const flush = () => {
      if (!Number.isNaN(curA)) hits += bound(sortedStarts, curB, true) - bound(sortedStarts, curA, false);
    };
    for (const [ws, we] of merged) {
      const a = ws - d;
      if (!Number.isNaN(curA) && a <= curB) {
        if (we > curB) curB = we;
        continue;
      }
      flush();
      curA = a;
      curB = we;
    }
    flush();
    return hits / n;
  };
  let grid: Float64Array | undefined;
  if (slowDurations.length * merged.length > EXACT_BUDGET) {
    const sorted = Float64Array.from(slowDurations).sort();
    grid = new Float64Array(GRID);
    for (let i = 0; i < GRID; i++) grid[i] = percentile(sorted, (i + 1) / GRID);
  }
  return (d: number): number => {
    const key = grid ? grid[Math.min(GRID - 1, bound(grid, d, false))]! : d;
    let p = memo.get(key);
    if (p === undefined) memo.set(key, (p = exact(key)));
    return p;
  };
}

/** The union of intervals (sorted by start), clipped to [lo, hi], as disjoint sorted intervals. */
function mergeClipped(intervals: Array<[number, number]>, lo: number, hi: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [s0, e0] of intervals) {
    const s = Math.max(s0, lo);
    const e = Math.min(e0, hi);
    if (!(e > s)) continue;
    const last = out[out.length - 1];
    if (last === undefined || s > last[1]) out.push([s, e]);
    else if (e > last[1]) last[1] = e;
  }
  return out;
}

function lengthOf(merged: Array<[number, number]>): number {
  let t = 0;
  for (const [s, e] of merged) t += e - s;
  return t;
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
  const sortByStart = (iv: Array<[number, number]>): Array<[number, number]> => iv.sort((a, b) => a[0] - b[0]);
  // Per category (any part, the three phases): the covered intervals, their time share, and the chance
  // function of the length-adjusted null.
  const merged = [
    mergeClipped(ws.map((w): [number, number] => [w.startNs, w.endNs]), spanStart, spanEnd),
    mergeClipped(ws.map((w): [number, number] => [w.startNs, w.sweepTermEndNs]), spanStart, spanEnd),
    mergeClipped(sortByStart(ws.map((w): [number, number] => [w.sweepTermEndNs, w.markEndNs])), spanStart, spanEnd),
    mergeClipped(sortByStart(ws.map((w): [number, number] => [w.markEndNs, w.endNs])), spanStart, spanEnd),
  ];
  const timeShare = merged.map((m) => (spanLen > 0 ? lengthOf(m) / spanLen : 0));
  const gcTimeShare = timeShare[ANY]!;

  // Slow thresholds from the whole series.
  const all = Float64Array.from(durs).sort();
  const t99 = percentile(all, 0.99);
  const t999 = percentile(all, 0.999);

  // The permutation null: the observed start times, and the durations of the slow operations.
  const sortedStarts = Float64Array.from(starts).sort();
  const slowDurs = all.subarray(bound(all, t99, false));
  const chance = merged.map((m) => overlapChance(m, sortedStarts, slowDurs));

  // Per-operation overlap.
  const overlap = new Float64Array(CATS);
  const slow99 = new Float64Array(CATS);
  const slow999 = new Float64Array(CATS);
  const expect99 = new Float64Array(CATS);
  const expect999 = new Float64Array(CATS);
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
    if (is99) {
      n99++;
      for (let c = 0; c < CATS; c++) {
        const p = chance[c]!(d);
        expect99[c]! += p;
        if (is999) expect999[c]! += p;
      }
    }
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
    slowTest({
      thresholdNs: which === 99 ? t99 : t999,
      slowCount: which === 99 ? n99 : n999,
      slowInside: which === 99 ? slow99[c]! : slow999[c]!,
      expectedInside: which === 99 ? expect99[c]! : expect999[c]!,
      overlapCount: overlap[c]!,
      total,
      timeShare: timeShare[c]!,
    });
  const phase = (c: number): PhaseCausality => ({
    timeShare: timeShare[c]!,
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
  } else if (
    p99.lift !== null &&
    p99.adjustedLift !== null &&
    p99.lift >= th.minLift &&
    p99.adjustedLift >= th.minLift &&
    p99.pValue < th.maxPValue
  ) {
    verdict = 'gc-explains';
    verdictReason = `p99 lift ${p99.lift.toFixed(2)} (length-adjusted ${p99.adjustedLift.toFixed(2)}) >= ${th.minLift} with p = ${p99.pValue.toExponential(2)} < ${th.maxPValue}`;
  } else {
    verdict = 'no-evidence';
    verdictReason =
      p99.slowInside === 0
        ? 'no slow operation overlaps a GC window'
        : `p99 lift ${p99.lift?.toFixed(2)}, length-adjusted ${p99.adjustedLift?.toFixed(2)} (both need >= ${th.minLift}) with p = ${p99.pValue.toExponential(2)} (need < ${th.maxPValue})`;
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
    expectedInsideShare: p99.expectedInsideShare,
    lift: p99.lift,
    adjustedLift: p99.adjustedLift,
    pValue: p99.pValue,
    phases: { sweepTermination: phase(STW1), mark: phase(MARK), markTermination: phase(STW2) },
    cycles: cyc,
    verdict,
    verdictReason,
  };
}
