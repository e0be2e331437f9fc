/**
 * GC activity as perf saw it: the times of samples whose stack is in the Go runtime's collector, and the
 * program's exec, for aligning gctrace's clock onto perf's (alignment.ts).
 *
 * Which functions mean what:
 * - **start** (the cycle's STW sweep termination, which gctrace's `@` time stamps): a stack containing
 *   `runtime.gcStart`, or `runtime.stopTheWorldWithSema` not under `runtime.gcMarkDone` /
 *   `runtime.gcMarkTermination` (those stop the world for mark termination, at the cycle's end).
 * - **mark** (any other part of the cycle): `runtime.gcBgMarkWorker`, `runtime.gcDrain`,
 *   `runtime.gcAssistAlloc`, `runtime.markroot`, `runtime.scanobject`, `runtime.gcMarkDone`,
 *   `runtime.gcMarkTermination` (and `stopTheWorldWithSema` under the last two).
 * A frame matches a name exactly or as its closure (`runtime.gcBgMarkWorker.func2`).
 *
 * Memory: times are kept as ns relative to the first recorded time in growable Float64Arrays (exact to
 * 2^53 ns, 104 days), at most `maxTimes` per kind (further ones are counted in `dropped`); first-sample
 * times are kept for at most MAX_COMMS distinct comms.
 */
import type { PerfSample, PerfTaskEvent } from '../../model/perf.js';

const START_FUNCS = new Set(['runtime.gcStart']);
const STW = 'runtime.stopTheWorldWithSema';
const MARK_TERM_FUNCS = new Set(['runtime.gcMarkDone', 'runtime.gcMarkTermination']);
const MARK_FUNCS = new Set([
  'runtime.gcBgMarkWorker',
  'runtime.gcDrain',
  'runtime.gcAssistAlloc',
  'runtime.markroot',
  'runtime.scanobject',
  'runtime.gcMarkDone',
  'runtime.gcMarkTermination',
]);

const MAX_COMMS = 4096;
const DEFAULT_MAX_TIMES = 4_000_000;
/** Linux truncates comm to 15 bytes (TASK_COMM_LEN 16). */
const COMM_LEN = 15;

export interface GcActivityOptions {
  /** The program's comm or binary name (a path's basename is used); samples of other comms are ignored. */
  program?: string;
  /** Most times kept per kind (start, mark). Default 4,000,000 (32 MB each). */
  maxTimes?: number;
}

export interface GcActivitySummary {
  /** Base of the relative times, perf ns. */
  baseNs: bigint;
  /** Sorted ns after baseNs of samples in a cycle's start (gcStart, STW of sweep termination). */
  startTimes: Float64Array;
  /** Sorted ns after baseNs of samples in marking or mark termination. */
  markTimes: Float64Array;
  /** The program's `PERF_RECORD_COMM exec` time. */
  execNs?: bigint;
  /** The comm the exec set. */
  execComm?: string;
  /** First sample of the program's comm (the program filter's, else the exec's comm, else any comm). */
  firstSampleNs?: bigint;
  /** Times not kept because maxTimes was reached. */
  dropped: number;
  /** GC samples seen (kept or not). */
  gcSamples: number;
}

function copy(s: string): string {
  return (' ' + s).slice(1);
}

function matches(sym: string, set: ReadonlySet<string>): boolean {
  if (set.has(sym)) return true;
  const i = sym.indexOf('.func');
  return i > 0 && set.has(sym.slice(0, i));
}

class TimeList {
  private buf = new Float64Array(1024);
  length = 0;
  constructor(private readonly max: number) {}
  push(v: number): boolean {
    if (this.length >= this.max) return false;
    if (this.length === this.buf.length) {
      const next = new Float64Array(Math.min(this.buf.length * 2, Math.max(this.max, 1024)));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
    return true;
  }
  /** Sorted copy, with `shift` added to every value. */
  sorted(shift: number): Float64Array {
    const out = this.buf.slice(0, this.length);
    if (shift !== 0) for (let i = 0; i < out.length; i++) out[i] += shift;
    return out.sort();
  }
}

export class GcActivityRecorder {
  private readonly program?: string;
  private readonly start: TimeList;
  private readonly mark: TimeList;
  private base?: bigint;
  private dropped = 0;
  private gcSamples = 0;
  private firstExec?: { ns: bigint; comm: string };
  private programExec?: { ns: bigint; comm: string };
  private readonly firstByComm = new Map<string, bigint>();
  private firstAny?: bigint;

  constructor(opts: GcActivityOptions = {}) {
    if (opts.program) {
      const base = opts.program.slice(opts.program.lastIndexOf('/') + 1);
      this.program = base.slice(0, COMM_LEN);
    }
    const max = opts.maxTimes ?? DEFAULT_MAX_TIMES;
    this.start = new TimeList(max);
    this.mark = new TimeList(max);
  }

  private isProgram(comm: string): boolean {
    return this.program === undefined || comm.slice(0, COMM_LEN) === this.program;
  }

  sample(s: PerfSample): void {
    const t = s.timeNs;
    if (t === undefined || !this.isProgram(s.comm)) return;
    if (this.firstAny === undefined || t < this.firstAny) this.firstAny = t;
    const prev = this.firstByComm.get(s.comm);
    if (prev === undefined) {
      if (this.firstByComm.size < MAX_COMMS) this.firstByComm.set(copy(s.comm), t);
    } else if (t < prev) {
      this.firstByComm.set(s.comm, t);
    }
    let start = false;
    let gc = false;
    let stw = false;
    let markTerm = false;
    for (const f of s.frames) {
      const sym = f.symbol;
      if (!sym.startsWith('runtime.')) continue;
      if (matches(sym, START_FUNCS)) start = gc = true;
      else if (sym === STW) stw = gc = true;
      else if (matches(sym, MARK_FUNCS)) {
        gc = true;
        if (MARK_TERM_FUNCS.has(sym)) markTerm = true;
      }
    }
    if (!gc) return;
    if (stw && !markTerm) start = true;
    this.gcSamples++;
    if (this.base === undefined) this.base = t;
    const rel = Number(t - this.base);
    if (!(start ? this.start : this.mark).push(rel)) this.dropped++;
  }

  task(e: PerfTaskEvent): void {
    if (e.record !== 'COMM' || !e.exec || e.timeNs === undefined) return;
    const comm = e.newComm ?? e.comm;
    if (this.firstExec === undefined) this.firstExec = { ns: e.timeNs, comm: copy(comm) };
    if (this.program !== undefined && this.programExec === undefined && comm.slice(0, COMM_LEN) === this.program) {
      this.programExec = { ns: e.timeNs, comm: copy(comm) };
    }
  }

  summary(): GcActivitySummary {
    const exec = this.programExec ?? this.firstExec;
    let firstSampleNs: bigint | undefined;
    if (this.program !== undefined) firstSampleNs = this.firstAny;
    else if (exec !== undefined) firstSampleNs = this.firstByComm.get(exec.comm) ?? this.firstAny;
    else firstSampleNs = this.firstAny;
    // Samples may precede the first GC sample (perf script is not strictly sorted across CPUs): the
    // base stays the first GC sample's time; negative relative times are fine.
    const baseNs = this.base ?? 0n;
    return {
      baseNs,
      startTimes: this.start.sorted(0),
      markTimes: this.mark.sorted(0),
      execNs: exec?.ns,
      execComm: exec?.comm,
      firstSampleNs,
      dropped: this.dropped,
      gcSamples: this.gcSamples,
    };
  }
}
