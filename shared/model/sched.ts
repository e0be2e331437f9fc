/**
 * Scheduler latency per task, from the text of `perf sched latency` (shared/parsers/perf-sched-latency.ts).
 * Integer nanoseconds throughout; perf prints durations in milliseconds with three decimals and
 * timestamps in seconds with six decimals, so every value is a multiple of 1000 ns.
 *
 *   mapstress:(5)         |      0.000 ms |      214 | avg:   0.204 ms | max:   4.413 ms | max start:   528.576127 s | max end:   528.580540 s
 */
export interface SchedTask {
  /** The task as printed: `comm:tid`, `comm:(threads)` when perf merged several threads by comm, `:38:38` for a task without a comm. */
  task: string;
  /** The command name (may hold spaces and colons, e.g. `memfd:sealed-91`); `''` when perf knew none (`:38:38`). */
  comm: string;
  /** The thread id perf printed after the comm (`sed:22288`); for a single-threaded task it is the pid. Absent for merged rows. */
  pid?: number;
  /** How many threads perf merged into this row (`mapstress:(5)` → 5). Absent for single-thread rows. */
  threads?: number;
  /** Time on CPU (`Runtime ms`). */
  runtimeNs: number;
  /** Number of scheduling delays measured (`Switches`). */
  switches: number;
  /** Average wakeup-to-run delay (`avg:`), as perf rounded it (to the µs). */
  avgDelayNs: number;
  /** Largest wakeup-to-run delay (`max:`). */
  maxDelayNs: number;
  /** Wakeup time of the largest delay, perf clock (`max start:`); perf before 4.17 printed only the end. `0` printed by perf when it had no wakeup is kept as 0. */
  maxDelayStartNs?: number;
  /** Time the task ran after the largest delay, perf clock (`max end:`, or `max at:` in older perfs). */
  maxDelayEndNs?: number;
}

/** The `TOTAL:` line: runtime and switches summed over the printed tasks. */
export interface SchedTotal {
  runtimeMs: number;
  switches: number;
}

export interface SchedLatencyTable {
  tasks: SchedTask[];
  total?: SchedTotal;
  /** perf's `INFO:` lines, trimmed (`INFO: 380.882% context switch bugs (518 out of 136)`). */
  info: string[];
  warnings: Array<{ line: number; message: string }>;
}
