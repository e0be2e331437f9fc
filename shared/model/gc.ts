/**
 * GC cycles from the Go runtime's `GODEBUG=gctrace=1` lines (shared/parsers/gctrace.ts), integer
 * nanoseconds and bytes throughout.
 *
 *   gc 1 @0.036s 0%: 0.059+0.81+0.054 ms clock, 0.11+0.13/0.18/0.27+0.10 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
 *   gc 9 @0.334s 0%: 0.056+0.64+0.004 ms clock, 0.11+0/0.17/0.59+0.008 ms cpu, 2->2->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
 *
 * `MB` in gctrace is MiB (the runtime prints `bytes>>20`), so byte values are multiples of 1 MiB,
 * rounded down by the runtime.
 */

/** Which runtime printed the line (the forms differ in the phases they report). */
export type GcTraceForm =
  /** Go 1.6 on: three clock phases, `a+b/c/d+e` cpu; Go 1.18 on adds `MB stacks` and `MB globals`. */
  | 'go1.6'
  /** Go 1.5: five clock phases (sweep termination, scan, install write barrier, mark, mark termination). */
  | 'go1.5'
  /** Go ≤ 1.4: `gc12(4): t1+t2+t3+t4 us, ...`, no start time, no cpu split, no goal; the whole cycle stops the world. */
  | 'go1.4';

/** CPU time of one cycle (`0.11+0.13/0.18/0.27+0.10 ms cpu`), summed over the Ps. */
export interface GcCpu {
  /** STW sweep termination (Go 1.5: plus the scan and install-write-barrier phases' cpu). */
  sweepTermNs: number;
  /** Mark assists by allocating goroutines. */
  assistNs: number;
  /** Dedicated and fractional background mark workers. */
  backgroundNs: number;
  /** Idle-P mark workers. */
  idleNs: number;
  /** STW mark termination. */
  markTermNs: number;
}

export interface GcCycle {
  /** The cycle number (`gc 12`), from 1. */
  n: number;
  /**
   * Start of the cycle (sweep termination) since the runtime started, `@0.036s` (millisecond
   * resolution). `null` for Go ≤ 1.4 lines, which print no time.
   */
  startNs: number | null;
  /** Wall-clock STW sweep termination (Go ≤ 1.4: the first of the four stop-the-world phases). */
  sweepTermNs: number;
  /** Wall-clock concurrent mark (Go 1.5: scan + install write barrier + mark; Go ≤ 1.4: the mark phase, STW). */
  markNs: number;
  /** Wall-clock STW mark termination (Go ≤ 1.4: the sweep and the end of the cycle, STW). */
  markTermNs: number;
  /** The clock phases as printed, in ns (3 on Go 1.6+, 5 on Go 1.5, 4 on Go ≤ 1.4). */
  clockPhasesNs: number[];
  /** CPU split; `null` for Go ≤ 1.4 lines. */
  cpu: GcCpu | null;
  /** Heap in use when the cycle started (`3->`). */
  heapBeforeBytes: number;
  /** Heap in use when marking ended (`->3->`; Go ≤ 1.4: after the cycle). */
  heapAfterBytes: number;
  /** Heap marked live (`->1 MB`; Go ≤ 1.4: the same as heapAfterBytes). */
  heapLiveBytes: number;
  /** Heap goal (`4 MB goal`); `null` for Go ≤ 1.4. */
  heapGoalBytes: number | null;
  /** Scannable stack (`0 MB stacks`, Go 1.18 on), else `null`. */
  stacksBytes: number | null;
  /** Scannable globals (`0 MB globals`, Go 1.18 on), else `null`. */
  globalsBytes: number | null;
  /** GOMAXPROCS (`2 P`; Go ≤ 1.4: the GC's helper count, `gc12(4)`). */
  procs: number;
  /** `(forced)`: runtime.GC() or debug.FreeOSMemory (Go 1.5: any non-background cycle). */
  forced: boolean;
  /** GC's share of CPU since the program started, integer percent (`0%:`); `null` for Go ≤ 1.4. */
  gcCpuPercent: number | null;
  form: GcTraceForm;
  /** 1-based line of the input the cycle was printed on. */
  inputLine: number;
}

export interface GcTraceSummary {
  cycles: GcCycle[];
  /** Scavenger lines (`scvg0: inuse: ...`, `scvg: 0 MB released`, `scav 0 KiB work, ...`). */
  scavengerLines: number;
  /** Pacer lines (`pacer: ...`, GODEBUG=gcpacertrace=1) and `gc assist` lines. */
  pacerLines: number;
  /** Everything else: the program's own output, `GC forced`, blank lines. */
  otherLines: number;
  /**
   * GC's share of the program's CPU, 0..1: the last cycle's cumulative `N%` / 100; when no line
   * printed one (Go ≤ 1.4), `null`.
   */
  gcCpuShare: number | null;
}

/** How an alignment of the Go clock onto the perf clock was obtained (shared/analyses/gc/alignment.ts). */
export type GcAlignmentMethod = 'anchors' | 'gc-activity' | 'exec' | 'first-sample' | 'none';

/**
 * The Go process clock (gctrace `@`, ns since the runtime started) mapped onto perf's clock (ns since
 * boot): `perfNs = goNs + offsetNs + goNs * driftPpm / 1e6`.
 */
export interface GcAlignment {
  method: GcAlignmentMethod;
  /**
   * Integer ns on perf's absolute clock of Go time 0. A Number: exact while perf's clock is under
   * 2^53 ns (~104 days of uptime); beyond that it is rounded to a few ns, well below the residual.
   */
  offsetNs: number;
  /** Clock drift in parts per million, from a fit of ≥ 2 anchors; absent otherwise. */
  driftPpm?: number;
  /** Estimated error in ns (anchors: RMS of the fit; gc-activity: median distance of cycle starts to the nearest start sample; 0 when unmeasured). */
  residualNs: number;
  confidence: 'high' | 'medium' | 'low' | 'none';
  /** Every source that gave an offset, best first. */
  candidates: Array<{ method: GcAlignmentMethod; offsetNs: number; residualNs: number }>;
  notes: string[];
}

/** One GC cycle's phases on the perf clock, integer ns. */
export interface GcWindow {
  /** The cycle number (`gc N`). */
  n: number;
  /** Start (STW sweep termination begins). */
  startNs: number;
  /** End of STW sweep termination, start of concurrent mark. */
  sweepTermEndNs: number;
  /** End of concurrent mark, start of STW mark termination. */
  markEndNs: number;
  /** End of mark termination. */
  endNs: number;
  forced: boolean;
}
