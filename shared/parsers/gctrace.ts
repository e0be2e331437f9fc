/**
 * GODEBUG=gctrace=1 output (the program's stderr, mixed with its own output) → GcCycle[].
 *
 * The runtime prints one line per cycle. Go 1.6 on (src/runtime/mgc.go, gcMarkTermination):
 *
 *   print("gc ", memstats.numgc, " @", string(itoaDiv(sbuf[:], uint64(work.tSweepTerm-runtimeInitTime)/1e6, 3)), "s ", util, "%: ")
 *   for i, ns := range []int64{work.tMark, work.tMarkTerm, work.tEnd} { if i != 0 { print("+") }; print(string(fmtNSAsMS(sbuf[:], uint64(ns-prev)))) ... }
 *   print(" ms clock, ")
 *   for i, ns := range []int64{sweepTermCpu, assistTime, dedicatedMarkTime + fractionalMarkTime, idleMarkTime, markTermCpu} { "/" before i==2,3, "+" before the others }
 *   print(" ms cpu, ", work.heap0>>20, "->", work.heap1>>20, "->", work.heap2>>20, " MB, ", heapGoal>>20, " MB goal, ",
 *         [Go 1.18 on:] lastStackScan>>20, " MB stacks, ", globalsScan>>20, " MB globals, ",
 *         work.maxprocs, " P")
 *   if work.userForced { print(" (forced)") }
 *
 *   gc 1 @0.036s 0%: 0.059+0.81+0.054 ms clock, 0.11+0.13/0.18/0.27+0.10 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
 *   gc 9 @0.334s 0%: 0.056+0.64+0.004 ms clock, 0.11+0/0.17/0.59+0.008 ms cpu, 2->2->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
 *   gc 3 @0.128s 1%: 0.016+1.2+0.021 ms clock, 0.066+0.31/1.1/2.4+0.085 ms cpu, 4->4->0 MB, 5 MB goal, 4 P   (Go 1.6–1.17)
 *
 * Go 1.5 (same function, five clock phases and seven cpu values):
 *
 *   for i, ns := range []int64{tScan, tInstallWB, tMark, tMarkTerm, tEnd} { ... }
 *   for i, ns := range []int64{sweepTermCpu, scanCpu, installWBCpu, assistTime, dedicated+fractional, idleMarkTime, markTermCpu} { "/" before i==4,5 }
 *   if mode != gcBackgroundMode { print(" (forced)") }
 *
 *   gc 1 @0.011s 2%: 0.040+0.89+0.005+0.48+0.062 ms clock, 0.12+0.89+0+0.69/0.002/0.26+0.18 ms cpu, 4->4->3 MB, 4 MB goal, 4 P
 *
 * Go ≤ 1.4 (src/runtime/mgc0.c, runtime·gc; 1.4 added ` %d goroutines,`):
 *
 *   runtime·printf("gc%d(%d): %D+%D+%D+%D us, %D -> %D MB, %D (%D-%D) objects, %d goroutines, %d/%d/%d sweeps,
 *                   %D(%D) handoff, %D(%D) steal, %D/%D/%D yields\n", numgc, nproc, (t1-t0)/1000, ..., heap0>>20, heap1>>20, ...)
 *
 *   gc1(1): 1+0+83+0 us, 0 -> 0 MB, 18 (19-1) objects, 0/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields
 *
 * Numbers: times come from fmtNSAsMS (whole ms at ≥ 10 ms, else two significant digits with at most
 * three decimals: `12`, `3.7`, `0.059`, `0`) and itoaDiv (`@0.036s`, always three decimals); sizes
 * and percents are integers. The runtime never prints floats (no `1.2e+03`) here; an exponent is
 * still read, rounded to the ns.
 *
 * The runtime writes each piece with its own write(2), so a line can start after program text that
 * had no newline (`...text gc 12 @...`): the cycle is searched anywhere in the line. A gc line cut
 * by another writer is a warning, never an exception.
 */
import type { GcCpu, GcCycle, GcTraceForm, GcTraceSummary } from '../model/gc.js';
import type { ByteSource } from './bytes.js';

export interface GcTraceOptions {
  /** Name of the input, for warnings. */
  file: string;
  /**
   * Longest line kept, in bytes (default 16 MiB). Longer lines (program output) are not an error:
   * only their last maxLineBytes are read, with a warning, since a gc line glued after program text
   * is at the end.
   */
  maxLineBytes?: number;
}

export interface GcTraceWarning {
  /** 1-based input line. */
  line: number;
  message: string;
}

export interface GcTraceResult {
  cycles: GcCycle[];
  /** Scavenger lines: `scvg0: inuse: ...`, `scvg: 0 MB released`, `scav 0 KiB work, ...`. */
  scavenger: number;
  /** `pacer: ...` (gcpacertrace) and `gc assist` lines. */
  pacer: number;
  /** Lines that are none of the above (the program's output, `GC forced`, blank lines). */
  otherLines: number;
  warnings: GcTraceWarning[];
}

const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const MIB = 1 << 20;
const LF = 0x0a;
const CR = 0x0d;

// ---------------------------------------------------------------------------------------------
// Regexes, from named parts.

/** A fmtNSAsMS / itoaDiv number: `12`, `0.059`, `1.2e+03` (never printed, read anyway). */
const NUM = String.raw`\d+(?:\.\d+)?(?:[eE][-+]?\d+)?`;
const INT = String.raw`\d+`;
/** `0.059+0.81+0.054` (Go 1.6+) or five terms (Go 1.5). */
const CLOCK = String.raw`(${NUM}(?:\+${NUM})*) ms clock`;
/** `0.11+0.13/0.18/0.27+0.10` (Go 1.6+) or `a+b+c+d/e/f+g` (Go 1.5). */
const CPU = String.raw`(${NUM}(?:[+/]${NUM})*) ms cpu`;
const HEAP = String.raw`(${INT})->(${INT})->(${INT}) MB`;
const GOAL = String.raw`(${INT}) MB goal`;
const STACKS_GLOBALS = String.raw`(?:(${INT}) MB stacks, (${INT}) MB globals, )?`;

/** `gc 1 @0.036s 0%: CLOCK, CPU, HEAP, GOAL, [stacks, globals, ]2 P[ (forced)]` */
const GC_LINE = new RegExp(
  String.raw`gc (${INT}) @(${NUM})s (${INT})%: ${CLOCK}, ${CPU}, ${HEAP}, ${GOAL}, ${STACKS_GLOBALS}(${INT}) P( \(forced\))?`,
  'y',
);
/** `gc1(1): 1+0+83+0 us, 0 -> 0 MB, 18 (19-1) objects, ...` (Go ≤ 1.4; the rest is not read). */
const GC_LINE_GO14 = new RegExp(
  String.raw`gc(${INT})\((${INT})\): (${INT})\+(${INT})\+(${INT})\+(${INT}) us, (${INT}) -> (${INT}) MB, `,
  'y',
);
/** Where a gc line starts in a line, possibly after program text; also what "looks like gc" for warnings. */
const GC_START = /gc \d+ @|gc\d+\(\d+\): /g;
/**
 * Scavenger: `scvg0: inuse: 3, idle: 0, ...`, `scvg: 0 MB released` (Go ≤ 1.12), `scav 0 KiB work,
 * 0 KiB total, 99% util` (Go 1.19 on); at the start of a line or glued after program text.
 */
const SCAVENGER = /^scvg\d*:|^scav |scvg\d*: (?:inuse: |\d+ MB released)|scav \d+ KiB work/;
/**
 * Pacer (GODEBUG=gcpacertrace=1), also glued after program text (`progress 0pacer: assist ratio=...`):
 *   pacer: assist ratio=+1.239435e+000 (scan 0 MB in 3->4 MB) workers=0++2.500000e-001
 *   pacer: 37% CPU (25 exp.) for 89432+1872+223376 B work (223376 B exp.) in 3997696 B -> 4259840 B (∆goal 65536, cons/mark +0.000000e+000)
 * and `gc assist` lines.
 */
const PACER = /pacer: |^gc assist\b/;

// ---------------------------------------------------------------------------------------------

/** Reads a gctrace stream. Never throws on content: malformed gc lines become warnings. */
export async function parseGcTrace(source: ByteSource, opts: GcTraceOptions): Promise<GcTraceResult> {
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const out: GcTraceResult = { cycles: [], scavenger: 0, pacer: 0, otherLines: 0, warnings: [] };
  const decoder = new TextDecoder('utf-8');
  let lineNo = 0;
  for await (const { line, truncated } of boundedLines(source, maxLineBytes)) {
    lineNo++;
    if (truncated) {
      out.warnings.push({ line: lineNo, message: `${opts.file}: line longer than ${maxLineBytes} bytes; only its last ${maxLineBytes} bytes were read` });
    }
    onLine(decoder.decode(line), lineNo, out);
  }
  return out;
}

/** The summary of a parse (GcTraceSummary of the model). */
export function summarizeGcTrace(r: GcTraceResult): GcTraceSummary {
  let percent: number | null = null;
  for (const c of r.cycles) if (c.gcCpuPercent !== null) percent = c.gcCpuPercent;
  return {
    cycles: r.cycles,
    scavengerLines: r.scavenger,
    pacerLines: r.pacer,
    otherLines: r.otherLines,
    gcCpuShare: percent === null ? null : percent / 100,
  };
}

function onLine(text: string, lineNo: number, out: GcTraceResult): void {
  const trimmed = text.trimStart();
  if (PACER.test(trimmed)) {
    out.pacer++;
    return;
  }
  if (SCAVENGER.test(trimmed)) {
    out.scavenger++;
    return;
  }
  GC_START.lastIndex = 0;
  let found = false;
  for (let m = GC_START.exec(text); m !== null; m = GC_START.exec(text)) {
    found = true;
    const cycle = m[0].startsWith('gc ') ? onGcLine(text, m.index, lineNo) : onGo14Line(text, m.index, lineNo);
    if (cycle === null) continue; // program text that happens to say "gc 1 @"; a later match may be the real one
    const rest = text.slice(cycle.end).trim();
    if (rest !== '') out.warnings.push({ line: lineNo, message: `text after the gc line: ${JSON.stringify(rest.slice(0, 80))}` });
    out.cycles.push(cycle.cycle);
    return;
  }
  if (found) {
    out.warnings.push({ line: lineNo, message: `gc line not understood: ${JSON.stringify(text.slice(0, 200))}` });
    return;
  }
  out.otherLines++;
}

interface Parsed {
  cycle: GcCycle;
  /** Index in the line where the match ended. */
  end: number;
}

// gc 1 @0.036s 0%: 0.059+0.81+0.054 ms clock, 0.11+0.13/0.18/0.27+0.10 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
// gc 9 @0.334s 0%: 0.056+0.64+0.004 ms clock, 0.11+0/0.17/0.59+0.008 ms cpu, 2->2->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
// gc 1 @0.011s 2%: 0.040+0.89+0.005+0.48+0.062 ms clock, 0.12+0.89+0+0.69/0.002/0.26+0.18 ms cpu, 4->4->3 MB, 4 MB goal, 4 P
function onGcLine(text: string, at: number, lineNo: number): Parsed | null {
  GC_LINE.lastIndex = at;
  const m = GC_LINE.exec(text);
  if (m === null) return null;
  const [, n, start, percent, clockText, cpuText, h0, h1, h2, goal, stacks, globals, procs, forced] = m;
  const clock = clockText!.split(/(?<![eE])\+/).map(msToNs);
  const cpuParts = cpuText!.split(/((?<![eE])[+/])/);
  const cpuValues = cpuParts.filter((_, i) => i % 2 === 0).map(msToNs);
  const seps = cpuParts.filter((_, i) => i % 2 === 1).join('');
  let form: GcTraceForm;
  let phases: [number, number, number];
  let cpu: GcCpu;
  if (clock.length === 3 && cpuValues.length === 5 && seps === '+//+') {
    form = 'go1.6';
    phases = [clock[0]!, clock[1]!, clock[2]!];
    cpu = { sweepTermNs: cpuValues[0]!, assistNs: cpuValues[1]!, backgroundNs: cpuValues[2]!, idleNs: cpuValues[3]!, markTermNs: cpuValues[4]! };
  } else if (clock.length === 5 && cpuValues.length === 7 && seps === '+++//+') {
    // Go 1.5: sweep termination, scan, install write barrier (STW), mark, mark termination.
    form = 'go1.5';
    phases = [clock[0]!, clock[1]! + clock[2]! + clock[3]!, clock[4]!];
    cpu = {
      sweepTermNs: cpuValues[0]! + cpuValues[1]! + cpuValues[2]!,
      assistNs: cpuValues[3]!,
      backgroundNs: cpuValues[4]!,
      idleNs: cpuValues[5]!,
      markTermNs: cpuValues[6]!,
    };
  } else {
    return null;
  }
  if (!Number.isSafeInteger(msToNs(start!))) return null;
  return {
    end: GC_LINE.lastIndex,
    cycle: {
      n: Number(n),
      startNs: msToNs(start!) * 1000, // seconds: the ms conversion times 1000
      sweepTermNs: phases[0],
      markNs: phases[1],
      markTermNs: phases[2],
      clockPhasesNs: clock,
      cpu,
      heapBeforeBytes: Number(h0) * MIB,
      heapAfterBytes: Number(h1) * MIB,
      heapLiveBytes: Number(h2) * MIB,
      heapGoalBytes: Number(goal) * MIB,
      stacksBytes: stacks === undefined ? null : Number(stacks) * MIB,
      globalsBytes: globals === undefined ? null : Number(globals) * MIB,
      procs: Number(procs),
      forced: forced !== undefined,
      gcCpuPercent: Number(percent),
      form,
      inputLine: lineNo,
    },
  };
}

// gc1(1): 1+0+83+0 us, 0 -> 0 MB, 18 (19-1) objects, 0/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields
// gc12(4): 51+2+1102+26 us, 5 -> 10 MB, 40191 (512094-472003) objects, 21 goroutines, 187/0/0 sweeps, 3(108) handoff, 4(81) steal, 111/20/3 yields
function onGo14Line(text: string, at: number, lineNo: number): Parsed | null {
  GC_LINE_GO14.lastIndex = at;
  const m = GC_LINE_GO14.exec(text);
  if (m === null) return null;
  const [, n, nproc, t1, t2, t3, t4, h0, h1] = m;
  const clock = [t1, t2, t3, t4].map((us) => Number(us) * 1000);
  // The rest of the line (objects, sweeps, handoff, steal, yields) is not needed; it ends the line.
  const end = text.length;
  return {
    end,
    cycle: {
      n: Number(n),
      startNs: null,
      sweepTermNs: clock[0]!,
      markNs: clock[1]!,
      markTermNs: clock[2]! + clock[3]!,
      clockPhasesNs: clock,
      cpu: null,
      heapBeforeBytes: Number(h0) * MIB,
      heapAfterBytes: Number(h1) * MIB,
      heapLiveBytes: Number(h1) * MIB,
      heapGoalBytes: null,
      stacksBytes: null,
      globalsBytes: null,
      procs: Number(nproc),
      forced: false,
      gcCpuPercent: null,
      form: 'go1.4',
      inputLine: lineNo,
    },
  };
}

/**
 * Milliseconds as printed (`0.059`, `12`, `1.2e+03`) → integer ns, exactly for plain decimals
 * (no float error: `0.059` is 59000, not 59000.00000000001).
 */
export function msToNs(s: string): number {
  if (/[eE]/.test(s)) return Math.round(Number(s) * 1e6);
  const dot = s.indexOf('.');
  if (dot < 0) return Number(s) * 1e6;
  const whole = Number(s.slice(0, dot));
  const frac = s.slice(dot + 1);
  // ns resolution is 6 decimals of a ms; the runtime prints at most 3.
  const six = Number(frac.slice(0, 6).padEnd(6, '0'));
  const roundUp = frac.length > 6 && frac.charCodeAt(6) >= 0x35 /* '5' */ ? 1 : 0;
  return whole * 1e6 + six + roundUp;
}

// ---------------------------------------------------------------------------------------------
// Lines over bytes. Like lines.ts's lineBatches, but an over-long line is not an error here (it is
// the program's output, and a gc line may be glued at its end): only its last `max` bytes are kept.

interface BoundedLine {
  line: Uint8Array;
  /** The line was longer than `max` and only its tail is given. */
  truncated: boolean;
}

async function* boundedLines(source: ByteSource, max: number): AsyncGenerator<BoundedLine> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let truncated = false;
  const take = (last: Uint8Array): BoundedLine => {
    let line = last;
    if (pending.length > 0) {
      pending.push(last);
      line = concatTail(pending, pendingBytes + last.length, max);
      pending = [];
      pendingBytes = 0;
    }
    if (line.length > max) {
      line = line.subarray(line.length - max);
      truncated = true;
    }
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    const r = { line, truncated };
    truncated = false;
    return r;
  };
  for await (const chunk of source) {
    let start = 0;
    for (let nl = chunk.indexOf(LF); nl >= 0; nl = chunk.indexOf(LF, start)) {
      yield take(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      // Keep memory bounded: past twice the limit, keep only the last `max` bytes.
      if (pendingBytes > 2 * max + 1) {
        const tail = concatTail(pending, pendingBytes, max + 1);
        pending = [tail];
        pendingBytes = tail.length;
        truncated = true;
      }
    }
  }
  if (pendingBytes > 0) yield take(new Uint8Array(0));
}

/** The last `keep` bytes of `parts` (total `total` bytes), as one buffer. */
function concatTail(parts: readonly Uint8Array[], total: number, keep: number): Uint8Array {
  const n = Math.min(total, keep);
  const out = new Uint8Array(n);
  let at = n;
  for (let i = parts.length - 1; i >= 0 && at > 0; i--) {
    const p = parts[i]!;
    const piece = p.length <= at ? p : p.subarray(p.length - at);
    at -= piece.length;
    out.set(piece, at);
  }
  return out;
}
