import type { PerfHeader, PerfSample, PerfTaskEvent, PerfWarning } from '../../model/perf.js';
import type { DataQualityItem } from '../../model/report.js';
import { bpfCmdNameFromArg } from '../../parsers/perf-script/bpf-cmd.js';
import { DQ } from '../data-quality.js';

/**
 * Everything about one perf script input that is not its stacks: counts per event and per thread,
 * call-graph depth, `[unknown]` frames, perf's warnings and lost events, the header block. Feeds the
 * input's summary and the data-quality items. Memory grows with events and threads, not with samples.
 */
export interface EventStats {
  samples: number;
  /** Sum of periods (1 per sample where perf printed none). */
  weight: number;
  /** Samples whose stack has at most one frame. */
  shallow: number;
  frames: number;
  unknownFrames: number;
  /** Samples with a parsed tracepoint/probe payload. */
  tracepoints: number;
}

export interface ThreadStats {
  comm: string;
  pid?: number;
  tid: number;
  samples: number;
}

/** Warnings kept verbatim on the input; the rest are counted. */
export const MAX_KEPT_WARNINGS = 20;

export class PerfStats {
  readonly events = new Map<string, EventStats>();
  private readonly threads = new Map<number, ThreadStats>();
  private readonly keptWarnings: string[] = [];
  header: PerfHeader | undefined;
  warnings = 0;
  unparsed = 0;
  lost = 0;
  taskEvents = 0;
  execs = 0;
  firstNs: bigint | undefined;
  lastNs: bigint | undefined;
  /** sys_enter tracepoints per syscall (`bpf` split by command: `bpf:BPF_MAP_UPDATE_ELEM`). */
  private readonly syscalls = new Map<string, { calls: number; errors: number }>();

  sample(s: PerfSample): void {
    let e = this.events.get(s.event);
    if (!e) {
      e = { samples: 0, weight: 0, shallow: 0, frames: 0, unknownFrames: 0, tracepoints: 0 };
      this.events.set(copy(s.event), e);
    }
    e.samples++;
    e.weight += s.period ?? 1;
    e.frames += s.frames.length;
    if (s.frames.length <= 1) e.shallow++;
    for (const f of s.frames) if (f.symbol === '[unknown]') e.unknownFrames++;
    if (s.tracepoint) {
      e.tracepoints++;
      const tp = s.tracepoint;
      if (tp.type === 'sys_enter') {
        const cmd = tp.syscall === 'bpf' && tp.args.cmd !== undefined ? bpfCmdNameFromArg(tp.args.cmd) : undefined;
        this.syscall(cmd ? `bpf:${cmd}` : tp.syscall).calls++;
      } else if (tp.type === 'sys_exit' && tp.ret < 0n) this.syscall(tp.syscall).errors++;
    }

    let t = this.threads.get(s.tid);
    if (!t) {
      t = { comm: copy(s.comm), tid: s.tid, samples: 0 };
      if (s.pid !== undefined) t.pid = s.pid;
      this.threads.set(s.tid, t);
    }
    t.samples++;

    if (s.timeNs !== undefined) {
      if (this.firstNs === undefined || s.timeNs < this.firstNs) this.firstNs = s.timeNs;
      if (this.lastNs === undefined || s.timeNs > this.lastNs) this.lastNs = s.timeNs;
    }
  }

  private syscall(name: string) {
    let c = this.syscalls.get(name);
    if (!c) this.syscalls.set(copy(name), (c = { calls: 0, errors: 0 }));
    return c;
  }

  task(t: PerfTaskEvent): void {
    this.taskEvents++;
    if (t.exec) this.execs++;
  }

  warning(w: PerfWarning): void {
    this.warnings++;
    if (!w.fromPerf) this.unparsed++;
    if (w.lost) this.lost += w.lost;
    if (this.keptWarnings.length < MAX_KEPT_WARNINGS) this.keptWarnings.push(`line ${w.line}: ${w.message}`);
  }

  /** The warnings for the input summary, with a count of the ones not kept. */
  inputWarnings(): string[] {
    const more = this.warnings - this.keptWarnings.length;
    return more > 0 ? [...this.keptWarnings, `… and ${more} more`] : [...this.keptWarnings];
  }

  /** Sampling (non-tracepoint) events: the ones whose stacks say where time goes. */
  samplingEvents(): string[] {
    return [...this.events].filter(([, e]) => e.tracepoints < e.samples / 2).map(([name]) => name);
  }

  summary(): Record<string, unknown> {
    const samples = [...this.events.values()].reduce((n, e) => n + e.samples, 0);
    const threads = [...this.threads.values()].sort((a, b) => b.samples - a.samples);
    const out: Record<string, unknown> = {
      samples,
      events: Object.fromEntries(
        [...this.events].map(([name, e]) => [name, { samples: e.samples, weight: e.weight, meanDepth: round(e.frames / e.samples) }]),
      ),
      threads: threads.slice(0, 50),
      threadCount: threads.length,
      taskEvents: this.taskEvents,
      ...(this.syscalls.size > 0 ? { syscalls: Object.fromEntries(this.syscalls) } : {}),
      lostEvents: this.lost,
      unparsedLines: this.unparsed,
    };
    if (this.firstNs !== undefined && this.lastNs !== undefined) {
      out.startNs = Number(this.firstNs);
      out.durationNs = Number(this.lastNs - this.firstNs);
    }
    if (this.header) {
      const { perfVersion, hostname, osRelease, cmdline, nrCpus } = this.header;
      out.header = { perfVersion, hostname, osRelease, cmdline, nrCpus };
    }
    return out;
  }

  dataQuality(input: string): DataQualityItem[] {
    const out: DataQualityItem[] = [];
    const sampling = this.samplingEvents();
    for (const name of sampling) {
      const e = this.events.get(name)!;
      if (e.samples >= 10 && e.shallow / e.samples > 0.9) {
        out.push({
          rule: DQ.noCallGraphs,
          severity: 'warning',
          input,
          message: `${input}: ${pct(e.shallow / e.samples)} of ${name} samples have no call graph; record with \`perf record -g\` (or --call-graph dwarf) to attribute time to callers`,
        });
      }
      if (e.frames > 0 && e.unknownFrames / e.frames > 0.1) {
        out.push({
          rule: DQ.unknownFrames,
          severity: 'warning',
          input,
          message: `${input}: ${pct(e.unknownFrames / e.frames)} of ${name} frames are [unknown] (missing symbols, a stripped binary, or no frame pointers)`,
        });
      }
    }
    if (this.lost > 0) {
      out.push({
        rule: DQ.lostEvents,
        severity: 'warning',
        input,
        message: `${input}: perf lost ${this.lost} events or chunks while recording; counts and latencies are incomplete (raise the buffer with -m, or lower the sampling rate)`,
      });
    }
    if (sampling.length > 1) {
      out.push({
        rule: DQ.mixedEvents,
        severity: 'info',
        input,
        message: `${input}: several sampling events (${sampling.join(', ')}); hotspots and folded stacks are given per event`,
      });
    }
    if (this.unparsed > 0) {
      out.push({
        rule: DQ.unparsedLines,
        severity: 'warning',
        input,
        message: `${input}: ${this.unparsed} lines could not be parsed and were skipped (see the input's warnings)`,
      });
    }
    return out;
  }
}

/** Strings from the parser may be slices of a large chunk: copy the ones we keep. */
function copy(s: string): string {
  return s.length > 12 ? (' ' + s).slice(1) : s;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}
