/**
 * Latency series measured from perf (SPEC §2 "Latency series", §4 `latency[]`). Integer nanoseconds.
 *
 * - `duration`: an operation's own time: syscall enter -> exit, probe -> return probe, on one thread.
 * - `gap`: cadence of a duration series: time between consecutive starts of matched operations (named
 *   like the duration series it belongs to), in the process when its calls never overlap (a serial
 *   loop, whichever threads the goroutine ran on), else on the same thread; `scope` says which.
 * - `runqueue`: `sched_wakeup` of a task -> the `sched_switch` that puts it on a CPU.
 */
import type { DurationStats } from './causality.js';

export type LatencyKind = 'duration' | 'gap' | 'runqueue';

export interface LatencySeries extends DurationStats {
  /** `syscall:read`, `syscall:bpf:BPF_MAP_UPDATE_ELEM`, `syscall:nr321`, `probe:probe_x:main_f`, `runqueue`, `runqueue:<comm>`. */
  series: string;
  kind: LatencyKind;
  // count: measurements (matched pairs, gaps, wakeup -> switch-in delays); percentiles: DurationStats.
  sumNs: number;
  /**
   * `duration` only: begin or end events dropped because they had no partner on their thread (an exit
   * without an enter, the first of two enters in a row, ...). Absent for other kinds.
   */
  unmatched?: number;
  /** `gap` only: consecutive starts within the process (serial loop) or within a thread. */
  scope?: 'process' | 'thread';
}

/** One measurement of a series, for joins with time windows (e.g. GC cycles). */
export interface LatencyEvent {
  /** perf time (ns since boot) the measured interval starts: the enter, the earlier start, the wakeup. */
  startNs: bigint;
  durationNs: number;
  /** The thread measured (for runqueue: the woken task). */
  tid: number;
}
