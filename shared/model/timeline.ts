import type { LatencyKind } from './latency.js';

/**
 * The operations the report page's GC timeline plots: an artifact beside the report
 * (`artifactKeys.timeline`), not part of the report JSON, because it holds per-operation data. Per
 * latency series with GC causality, a bounded sample of its operations on the perf clock: every slow
 * one (≥ the series' p99) up to half the budget, the longest first, and an even stride through the rest.
 */
export interface TimelinePoints {
  version: 1;
  series: TimelineSeriesPoints[];
}

export interface TimelineSeriesPoints {
  series: string;
  kind: LatencyKind;
  /** Operations in the series; `startNs.length` of them are kept. */
  count: number;
  /** The series' p99 (the slow threshold of its causality test). */
  slowNs: number;
  /** Kept operations by start time: start on the perf clock and duration, integer nanoseconds. */
  startNs: number[];
  durationNs: number[];
}
