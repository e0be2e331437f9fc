/**
 * Latency series from perf samples (SPEC §2 "Latency series"): a PerfScriptSink-style accumulator.
 *
 *   const b = new LatencySeriesBuilder();
 *   await parsePerfScript(source, { sample: (s) => b.sample(s) }, { file });
 *   b.series();                                          // LatencySeries[], sorted by kind then name
 *   b.events('syscall:bpf:BPF_MAP_UPDATE_ELEM');         // raw measurements, in input order
 *
 * Rules (all per thread, `tid`; samples without a time are ignored):
 * - Syscalls: `syscalls:sys_enter_X` -> the next `syscalls:sys_exit_X` on that thread is `syscall:X`;
 *   `bpf` is split by the enter's `cmd` (`syscall:bpf:BPF_MAP_UPDATE_ELEM`). `raw_syscalls:sys_enter/exit`
 *   pair by NR into `syscall:nr<N>` (the NR -> name table depends on the architecture, which perf script
 *   text does not reliably carry), tracked apart from the named tracepoints so a recording with both
 *   pairs each kind with its own. A thread runs one syscall at a time, so: an enter while another is
 *   pending drops the pending one (counted unmatched in its series); an exit with no pending enter, or
 *   with a pending enter of another syscall, is dropped and counted (and the pending enter too). An exit
 *   of `bpf` cannot tell its command, so an unmatched bpf exit counts under `syscall:bpf`.
 * - Probes: `<group>:f` -> `<group>:f__return` (kprobes and uprobes alike) on that thread is
 *   `probe:<group>:f`. One pending entry per thread and probe: a second entry before the return drops
 *   the first (counted unmatched), so recursive functions measure their innermost call only.
 * - Gaps: the cadence of a repeated operation: the time between consecutive matched starts of a series.
 *   A Go loop is a goroutine, and the runtime moves goroutines between threads (Ms), so a per-thread
 *   gap would span the time the loop ran elsewhere. When the process's calls of a series never overlap
 *   (a serial loop: each starts after the previous one ended; up to 1% overlapping is tolerated), gaps
 *   are taken per process (`scope: "process"`); when they do overlap (several goroutines calling
 *   concurrently), per thread (`scope: "thread"`). perf script prints no pid by default (`comm tid`), so
 *   without one the process is the command name: a Go program's threads share it, and two processes of
 *   the same name calling at once overlap, which falls back to per-thread gaps.
 * - Run-queue delay: `sched_wakeup`/`sched_wakeup_new` of tid T -> the next `sched_switch` with
 *   `next_pid` T: series `runqueue` and `runqueue:<comm of the woken task>`. A repeated wakeup keeps the
 *   earliest; a `sched_switch` away from T (T was on a CPU) forgets T's pending wakeup. `sched_waking`
 *   is measured apart and used only when the recording has no `sched_wakeup`/`sched_wakeup_new` at all.
 *   Wakeups of tid 0 (idle) are ignored.
 *
 * Percentiles are exact, nearest rank: p -> the value at 1-based rank ceil(p * n) of the sorted values.
 * Values are integer ns (Number of a bigint difference). Memory: one growable typed column set per
 * series (Float64Array durations, BigInt64Array starts, Int32Array tids), no object per measurement.
 */
import type { DurationStats } from '../../model/causality.js';
import type { LatencyEvent, LatencyKind, LatencySeries } from '../../model/latency.js';
import type { PerfSample } from '../../model/perf.js';
import { bpfCmdNameFromArg } from '../../parsers/perf-script/bpf-cmd.js';

/** Copies a string that may be a slice of a large chunk (see PerfFrame). */
function own(s: string): string {
  return (' ' + s).slice(1);
}

const INITIAL_CAPACITY = 16;

/** The measurements of one series, as growable typed columns. */
class Column {
  n = 0;
  unmatched = 0;
  dur = new Float64Array(INITIAL_CAPACITY);
  start = new BigInt64Array(INITIAL_CAPACITY);
  tid = new Int32Array(INITIAL_CAPACITY);
  /** Sorted copy of dur[0..n), cached until the next push. */
  private sorted?: Float64Array;
  /** Cadence (only on duration columns): per-thread gaps and their last start per thread. */
  lastStart?: Map<number, bigint>;
  threadGap?: Column;
  /** Per-process gaps, and per process the last matched start and end. */
  lastInProcess?: Map<number | string, { start: bigint; end: bigint }>;
  processGap?: Column;
  /** Matched operations that started before the process's previous one of this series ended. */
  overlapping = 0;
  /** Syscall columns: the syscall name (or `nr<N>`) an exit must carry to match (`bpf` for every bpf command). */
  syscall?: string;

  constructor(
    readonly name: string,
    readonly kind: LatencyKind,
    readonly scope?: 'process' | 'thread',
  ) {}

  push(startNs: bigint, durationNs: number, tid: number): void {
    if (this.n === this.dur.length) {
      const cap = this.n * 2;
      const d = new Float64Array(cap);
      d.set(this.dur);
      this.dur = d;
      const s = new BigInt64Array(cap);
      s.set(this.start);
      this.start = s;
      const t = new Int32Array(cap);
      t.set(this.tid);
      this.tid = t;
    }
    this.dur[this.n] = durationNs;
    this.start[this.n] = startNs;
    this.tid[this.n] = tid;
    this.n++;
    this.sorted = undefined;
  }

  /** The gap column to report: per process for serial loops, per thread otherwise (see the header). */
  get gap(): Column | undefined {
    const serial = this.overlapping <= 0.01 * this.n;
    return serial ? (this.processGap ?? this.threadGap) : this.threadGap;
  }

  summary(): LatencySeries {
    const n = this.n;
    if (!this.sorted) this.sorted = this.dur.slice(0, n).sort();
    const v = this.sorted;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += v[i]!;
    const out: LatencySeries = { series: this.name, kind: this.kind, ...durationStats(v), sumNs: sum };
    if (this.kind === 'duration') out.unmatched = this.unmatched;
    if (this.scope) out.scope = this.scope;
    return out;
  }

  events(): LatencyEvent[] {
    const out: LatencyEvent[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = { startNs: this.start[i]!, durationNs: this.dur[i]!, tid: this.tid[i]! };
    return out;
  }
}

/**
 * Nearest-rank percentile of ascending values: the value at 1-based rank ceil(p * n), 0 for no values.
 * (A small epsilon keeps p * n that should be an integer, e.g. 0.9 * 10, from rounding up a rank.)
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n - 1e-9)));
  return sorted[rank - 1]!;
}

/** Count, nearest-rank percentiles and maximum of ascending values. */
export function durationStats(sorted: ArrayLike<number>): DurationStats {
  const n = sorted.length;
  return {
    count: n,
    p50Ns: percentile(sorted, 0.5),
    p90Ns: percentile(sorted, 0.9),
    p99Ns: percentile(sorted, 0.99),
    p999Ns: percentile(sorted, 0.999),
    maxNs: n > 0 ? sorted[n - 1]! : 0,
  };
}

interface PendingSyscall {
  col: Column;
  /** The syscall name (or `nr<N>`) an exit must carry to match. */
  syscall: string;
  startNs: bigint;
}

interface PendingWakeup {
  timeNs: bigint;
  comm: string;
}

/** Runs wakeup -> switch-in matching for one flavour of wakeup event. */
class RunQueue {
  readonly pending = new Map<number, PendingWakeup>();
  readonly all = new Column('runqueue', 'runqueue');
  readonly byComm = new Map<string, Column>();
  seen = false;

  wakeup(tid: number, timeNs: bigint, comm: string): void {
    this.seen = true;
    if (tid === 0 || this.pending.has(tid)) return;
    this.pending.set(tid, { timeNs, comm: own(comm) });
  }

  switchTo(prevPid: number, nextPid: number, timeNs: bigint): void {
    this.pending.delete(prevPid);
    const w = this.pending.get(nextPid);
    if (!w) return;
    this.pending.delete(nextPid);
    const d = Number(timeNs - w.timeNs);
    this.all.push(w.timeNs, d, nextPid);
    let c = this.byComm.get(w.comm);
    if (!c) this.byComm.set(w.comm, (c = new Column(`runqueue:${w.comm}`, 'runqueue')));
    c.push(w.timeNs, d, nextPid);
  }

  columns(): Column[] {
    return this.all.n === 0 ? [] : [this.all, ...this.byComm.values()];
  }
}

export class LatencySeriesBuilder {
  /** Duration columns by series name. */
  private readonly durations = new Map<string, Column>();
  /** Named-syscall columns by syscall name, and bpf ones by command argument text (fast paths). */
  private readonly sysCols = new Map<string, Column>();
  private readonly bpfCols = new Map<string, Column>();
  private readonly pendingSys = new Map<number, PendingSyscall>();
  private readonly pendingRaw = new Map<number, PendingSyscall>();
  /** Pending probe entries: tid -> series name -> start. */
  private readonly pendingProbe = new Map<number, Map<string, bigint>>();
  private readonly wakeup = new RunQueue();
  private readonly waking = new RunQueue();

  sample(s: PerfSample): void {
    const tp = s.tracepoint;
    const t = s.timeNs;
    if (!tp || t === undefined) return;
    switch (tp.type) {
      case 'sys_enter': {
        let col: Column;
        if (tp.syscall === 'bpf' && tp.args['cmd'] !== undefined) {
          const arg = tp.args['cmd']!;
          let c = this.bpfCols.get(arg);
          if (!c) {
            const cmd = bpfCmdNameFromArg(arg) ?? 'unknown';
            c = this.duration(`syscall:bpf:${cmd}`);
            c.syscall = 'bpf';
            this.bpfCols.set(own(arg), c);
          }
          col = c;
        } else {
          col = this.syscallCol(tp.syscall);
        }
        this.enter(this.pendingSys, s.tid, col, t);
        break;
      }
      case 'sys_exit':
        this.exit(this.pendingSys, s, tp.syscall, t, () => this.syscallCol(tp.syscall));
        break;
      case 'raw_sys_enter': {
        const col = this.duration(`syscall:nr${tp.id}`);
        col.syscall ??= `nr${tp.id}`;
        this.enter(this.pendingRaw, s.tid, col, t);
        break;
      }
      case 'raw_sys_exit': {
        const name = `nr${tp.id}`;
        this.exit(this.pendingRaw, s, name, t, () => this.duration(`syscall:${name}`));
        break;
      }
      case 'probe':
        this.probe(s, `probe:${tp.group ?? 'probe'}:${tp.name}`, tp.ret, t);
        break;
      case 'sched_wakeup':
        (tp.variant === 'waking' ? this.waking : this.wakeup).wakeup(tp.pid, t, tp.comm);
        break;
      case 'sched_switch':
        this.wakeup.switchTo(tp.prevPid, tp.nextPid, t);
        this.waking.switchTo(tp.prevPid, tp.nextPid, t);
        break;
      default:
        break;
    }
  }

  /** Every series with at least one measurement: durations, then gaps, then run-queue, each by name. */
  series(): LatencySeries[] {
    const byName = (a: Column, b: Column) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const dur = [...this.durations.values()].filter((c) => c.n > 0).sort(byName);
    const gaps = [...this.durations.values()].flatMap((c) => (c.gap && c.gap.n > 0 ? [c.gap] : [])).sort(byName);
    const rq = this.runQueue().columns().sort(byName);
    return [...dur, ...gaps, ...rq].map((c) => c.summary());
  }

  /** The raw measurements of a series, in input order; [] when there is none. */
  events(series: string, kind: LatencyKind = 'duration'): LatencyEvent[] {
    return this.column(series, kind)?.events() ?? [];
  }

  /** Durations of a series as a typed array view (no copy), in input order. */
  durationsOf(series: string, kind: LatencyKind = 'duration'): Float64Array {
    const c = this.column(series, kind);
    return c ? c.dur.subarray(0, c.n) : new Float64Array(0);
  }

  /**
   * Dropped begin/end events per duration series, including series that never matched (e.g. only exits),
   * plus still-pending enters/entries at the time of the call. Zero counts are left out.
   */
  unmatched(): Record<string, number> {
    const out: Record<string, number> = {};
    const add = (name: string, k: number) => {
      if (k > 0) out[name] = (out[name] ?? 0) + k;
    };
    for (const c of this.durations.values()) add(c.name, c.unmatched);
    for (const p of this.pendingSys.values()) add(p.col.name, 1);
    for (const p of this.pendingRaw.values()) add(p.col.name, 1);
    for (const m of this.pendingProbe.values()) for (const name of m.keys()) add(name, 1);
    return out;
  }

  private column(series: string, kind: LatencyKind): Column | undefined {
    if (kind === 'duration') return this.durations.get(series);
    if (kind === 'gap') return this.durations.get(series)?.gap;
    return this.runQueue().columns().find((c) => c.name === series);
  }

  private runQueue(): RunQueue {
    return this.wakeup.seen || !this.waking.seen ? this.wakeup : this.waking;
  }

  private duration(name: string): Column {
    let c = this.durations.get(name);
    if (!c) {
      const owned = own(name);
      this.durations.set(owned, (c = new Column(owned, 'duration')));
    }
    return c;
  }

  private syscallCol(syscall: string): Column {
    let c = this.sysCols.get(syscall);
    if (!c) {
      c = this.duration(`syscall:${syscall}`);
      c.syscall ??= own(syscall);
      this.sysCols.set(own(syscall), c);
    }
    return c;
  }

  private enter(pending: Map<number, PendingSyscall>, tid: number, col: Column, t: bigint): void {
    const syscall = col.syscall!;
    const p = pending.get(tid);
    if (p) {
      p.col.unmatched++;
      p.col = col;
      p.syscall = syscall;
      p.startNs = t;
    } else {
      pending.set(tid, { col, syscall, startNs: t });
    }
  }

  private exit(pending: Map<number, PendingSyscall>, s: PerfSample, syscall: string, t: bigint, colOf: () => Column): void {
    const tid = s.tid;
    const p = pending.get(tid);
    if (p) pending.delete(tid);
    if (!p || p.syscall !== syscall) {
      if (p) p.col.unmatched++;
      colOf().unmatched++;
      return;
    }
    this.matched(p.col, p.startNs, t, s);
  }

  private probe(s: PerfSample, name: string, ret: boolean, t: bigint): void {
    const tid = s.tid;
    let m = this.pendingProbe.get(tid);
    if (!ret) {
      if (!m) this.pendingProbe.set(tid, (m = new Map()));
      if (m.has(name)) this.duration(name).unmatched++;
      m.set(m.has(name) ? name : own(name), t);
      return;
    }
    const start = m?.get(name);
    const col = this.duration(name);
    if (start === undefined) {
      col.unmatched++;
      return;
    }
    m!.delete(name);
    this.matched(col, start, t, s);
  }

  private matched(col: Column, start: bigint, end: bigint, s: PerfSample): void {
    const tid = s.tid;
    col.push(start, Number(end - start), tid);
    const last = (col.lastStart ??= new Map()).get(tid);
    if (last !== undefined) (col.threadGap ??= new Column(col.name, 'gap', 'thread')).push(last, Number(start - last), tid);
    col.lastStart.set(tid, start);
    // Per process: the pid, or the command name when perf printed none.
    const pid: number | string = s.pid ?? s.comm;
    const prev = (col.lastInProcess ??= new Map()).get(pid);
    if (prev === undefined) {
      col.lastInProcess.set(typeof pid === 'string' ? own(pid) : pid, { start, end });
      return;
    }
    if (start < prev.end) col.overlapping++;
    if (start > prev.start) {
      (col.processGap ??= new Column(col.name, 'gap', 'process')).push(prev.start, Number(start - prev.start), tid);
      prev.start = start;
    }
    if (end > prev.end) prev.end = end;
  }
}
