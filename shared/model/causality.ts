/**
 * GC-latency causality of one latency series (SPEC §2 "GC-latency causality", §4 `latency[].gc`).
 * Times are perf nanoseconds as JS numbers (exact below 2^53 ns, ~104 days of uptime).
 */

export type GcVerdict = 'gc-explains' | 'no-evidence' | 'insufficient-data';

/**
 * Nearest-rank distribution of operation durations: the value at 1-based rank ceil(p * count) of the
 * sorted values (`durationStats` in analyses/latency/series.ts).
 */
export interface DurationStats {
  count: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  p999Ns: number;
  /** 0 when count is 0. */
  maxNs: number;
}

/**
 * Slow operations (duration >= `thresholdNs`) against GC windows (or one GC phase).
 *
 * `lift` is SPEC §2's: slowInsideShare over the share of time the windows cover. That baseline is
 * biased when operations are long (an operation of duration d overlaps a window whenever it starts
 * within d before it) or run during only part of the span, so the test uses a permutation null:
 * `expectedInsideShare` is the mean, over slow operations, of the share of the series' observed start
 * times from which an operation that long would touch a window; `adjustedLift` compares against it.
 * For short operations spread over the whole span both lifts agree.
 */
export interface SlowTest {
  /** The series' percentile (p99 or p99.9) used as the slow threshold. */
  thresholdNs: number;
  /** Operations with duration >= thresholdNs. */
  slowCount: number;
  /** Slow operations overlapping the windows. */
  slowInside: number;
  /** slowInside / slowCount (0 when slowCount is 0). */
  slowInsideShare: number;
  /** Share of the span the windows (or this phase of them) cover. */
  timeShare: number;
  /** The permutation null's expected slowInsideShare (see above). */
  expectedInsideShare: number;
  /** slowInsideShare / timeShare; null when the windows cover no time. */
  lift: number | null;
  /** slowInsideShare / expectedInsideShare; null when that is 0. */
  adjustedLift: number | null;
  /**
   * One-sided binomial test: P(X >= slowInside), X ~ Binomial(slowCount, expectedInsideShare): exact when
   * the operations are short next to the gaps between windows, conservative otherwise. 1 when there are
   * no slow operations.
   */
  pValue: number;
  /** For reference: the share of ALL operations of the series that overlap the windows. */
  overlapShare: number;
}

/** One GC phase: STW sweep termination, concurrent mark, STW mark termination. */
export interface PhaseCausality {
  /** Share of the observed span covered by this phase of any window (union, clipped). */
  timeShare: number;
  /** Operations overlapping this phase of some window. */
  overlapCount: number;
  p99: SlowTest;
  p999: SlowTest;
}

/** One row of the per-cycle table. */
export interface CycleCausality {
  /** The GC cycle number (`gc N @`). */
  n: number;
  startNs: number;
  endNs: number;
  /** Operations overlapping [startNs, endNs]. */
  ops: number;
  /** Of those, operations with duration >= the series' p99. */
  slowOps: number;
  /** Longest overlapping operation; 0 when none. */
  maxNs: number;
}

export interface GcCausality {
  /** Operations analysed. */
  count: number;
  /** GC windows given. */
  windows: number;
  /** The observed span (given, or first event start -> last event end). */
  spanNs: { startNs: number; endNs: number };
  /** Share of the span covered by GC windows (union, clipped to the span): the baseline of `lift`. */
  gcTimeShare: number;
  /** For reference: the share of all operations that overlap some GC window. */
  overlapShare: number;
  inside: DurationStats;
  outside: DurationStats;
  /** Slow = >= the series' p99 (`p99`) and >= its p99.9 (`p999`). */
  p99: SlowTest;
  p999: SlowTest;
  /** Convenience copies of `p99` for SPEC §4 `latency[].gc`. */
  slowInsideShare: number;
  expectedInsideShare: number;
  lift: number | null;
  adjustedLift: number | null;
  pValue: number;
  phases: {
    sweepTermination: PhaseCausality;
    mark: PhaseCausality;
    markTermination: PhaseCausality;
  };
  /** Per GC cycle, in window order (sorted by start). */
  cycles: CycleCausality[];
  verdict: GcVerdict;
  /** Why the verdict, in one sentence. */
  verdictReason: string;
}
