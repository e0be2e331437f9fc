import type { GcCausality } from '../../model/causality.js';
import type { GcCycle } from '../../model/gc.js';
import type { AnalysisResult, Finding } from '../../model/report.js';
import type { MarkAssistResult } from './mark-assist.js';
import { findingId } from '../escape/findings.js';

/**
 * GC001, GC002, GC004, BPF001, SCHED001 (SPEC §3) from the GC cycles, the latency series and their
 * causality. Thresholds in one place, each with its default.
 */
export interface GcThresholds {
  /** GC002: GC's share of the program's CPU (gctrace's cumulative `N%`). Default 0.10. */
  gcCpuShare: number;
  /** GC004: a stop-the-world phase longer than this. Default 1 ms. */
  stwNs: number;
  /** BPF001: a bpf() command's p99 at least this many times its p50 ... Default 4. */
  bpfTailRatio: number;
  /** ... and at least this long. Default 10 µs. */
  bpfTailNs: number;
  /** SCHED001: run-queue delay p99 of the program's threads above this. Default 1 ms. */
  runqueueP99Ns: number;
  /** GC003: mark assists' share of GC mark CPU (assist / (assist + background + idle)). Default 0.25. */
  assistShare: number;
  /** MEM001: page faults in regions mapped within the last second, at least this many ... Default 10. */
  freshFaults: number;
  /** ... and at least this share of all faults. Default 0.10. */
  freshFaultShare: number;
}

export const DEFAULT_GC_THRESHOLDS: GcThresholds = {
  gcCpuShare: 0.1,
  stwNs: 1_000_000,
  bpfTailRatio: 4,
  bpfTailNs: 10_000,
  runqueueP99Ns: 1_000_000,
  assistShare: 0.25,
  freshFaults: 10,
  freshFaultShare: 0.1,
};

const us = (ns: number) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function causality(gc: unknown): GcCausality | undefined {
  return gc && typeof gc === 'object' && 'lift' in gc ? (gc as GcCausality) : undefined;
}

/** The heaviest escape findings, named in GC advice ("allocate less here"). */
function topEscapeIds(result: AnalysisResult): string {
  const ids = result.findings.filter((f) => f.rule === 'ESC001' || f.rule === 'ESC002').slice(0, 3);
  return ids.length ? ` Start with the escape sites ${ids.map((f) => `${f.id} (${f.location?.file}:${f.location?.line})`).join(', ')}.` : '';
}

export function gcFindings(
  result: AnalysisResult,
  gcCpuShare: number | null,
  assists?: MarkAssistResult,
  t: GcThresholds = DEFAULT_GC_THRESHOLDS,
): Finding[] {
  const out: Finding[] = [];
  const cycles: GcCycle[] = result.gc.cycles;

  // GC003: gctrace's CPU split of the mark phase, `0.11+0.13/0.18/0.27+0.10 ms cpu` (assist/background/idle).
  let assist = 0;
  let mark = 0;
  for (const c of cycles) {
    if (!c.cpu) continue;
    assist += c.cpu.assistNs;
    mark += c.cpu.assistNs + c.cpu.backgroundNs + c.cpu.idleNs;
  }
  if (mark > 0 && assist / mark >= t.assistShare) {
    const payers = (assists?.functions ?? []).filter((f) => f.name !== '(runtime)').slice(0, 5);
    out.push({
      id: findingId('GC003', 'assists'),
      rule: 'GC003',
      severity: 'warning',
      title: `Mark assists are ${pct(assist / mark)} of GC mark CPU${payers[0] ? `; ${payers[0].name} pays the most` : ''}`,
      message: `Goroutines that allocate during marking are made to help mark: ${us(assist)} of assists against ${us(mark - assist)} of background and idle marking over ${cycles.length} cycles (gctrace).${payers.length ? ` In perf's stacks the allocating functions under runtime.gcAssistAlloc are ${payers.map((f) => `${f.name} (${pct(f.share)})`).join(', ')}.` : ''}`,
      location: payers[0] ? { function: payers[0].name } : {},
      evidence: { assistNs: assist, markNs: mark, assistShare: assist / mark, payers },
      recommendation: `Allocate less in the functions that pay the assists (they allocate while GC marks, so they run slower exactly then).${topEscapeIds(result)} A higher GOGC or a GOMEMLIMIT gives marking more headroom before the heap goal, so fewer assists are needed.`,
    });
  }

  // MEM001: page faults in regions mapped shortly before (eBPF JIT images, ring buffers, fresh heap).
  const pf = result.pageFaults;
  if (pf && pf.inFresh >= t.freshFaults && pf.inFresh / Math.max(1, pf.faults) >= t.freshFaultShare) {
    const top = pf.regions.slice(0, 5);
    out.push({
      id: findingId('MEM001', pf.source),
      rule: 'MEM001',
      severity: 'warning',
      title: `${pf.inFresh} of ${pf.faults} page faults hit memory mapped within the second before`,
      message: `Faults in freshly mapped regions: ${top.map((r) => `${r.file || '(anonymous)'} [${r.kind}] ${r.faults} faults`).join('; ')}.`,
      location: {},
      evidence: { faults: pf.faults, inFresh: pf.inFresh, regions: top },
      recommendation:
        'Touch (pre-fault) buffers right after mapping them, outside latency-sensitive paths: create BPF maps and ring buffers at start-up and write them once; for Go heaps that grow in bursts, a GOMEMLIMIT with a warm-up allocation avoids faulting on the hot path.',
    });
  }

  for (const l of result.latency) {
    const c = causality(l.gc);
    if (!c || c.verdict !== 'gc-explains') continue;
    out.push({
      id: findingId('GC001', l.source, l.series, l.kind),
      rule: 'GC001',
      severity: 'warning',
      title: `Slow ${l.series} ${l.kind === 'gap' ? 'loop iterations' : 'operations'} are enriched in GC windows (lift ${c.lift?.toFixed(1)})`,
      message: `${pct(c.slowInsideShare ?? 0)} of ${l.series} ${l.kind} values at or above p99 (${us(c.p99.thresholdNs)}) overlap a GC cycle, while GC windows cover ${pct(c.gcTimeShare)} of the time (${pct(c.expectedInsideShare)} expected by chance for operations that long): lift ${c.lift?.toFixed(2)}, length-adjusted ${c.adjustedLift?.toFixed(2)}, p = ${c.pValue?.toExponential(1)}. Inside GC p99 is ${us(c.inside.p99Ns)}, outside ${us(c.outside.p99Ns)}.`,
      location: {},
      evidence: {
        series: l.series,
        kind: l.kind,
        lift: c.lift,
        pValue: c.pValue,
        adjustedLift: c.adjustedLift,
        slowInsideShare: c.slowInsideShare,
        expectedInsideShare: c.expectedInsideShare,
        gcTimeShare: c.gcTimeShare,
        insideP99Ns: c.inside.p99Ns,
        outsideP99Ns: c.outside.p99Ns,
        alignment: result.gc.alignment ? { method: result.gc.alignment.method, confidence: result.gc.alignment.confidence } : null,
      },
      recommendation: `Allocate less on this path so GC runs less often and assists less: keep values concrete and pre-allocate buffers reused across iterations.${topEscapeIds(result)} If the heap is small and memory allows, raise GOGC (e.g. GOGC=200) or set GOMEMLIMIT to let the heap grow before collecting; for eBPF maps, batch updates (Map.BatchUpdate) so fewer calls straddle a GC cycle.`,
    });
  }

  if (gcCpuShare !== null && gcCpuShare >= t.gcCpuShare) {
    out.push({
      id: findingId('GC002', 'gc-cpu'),
      rule: 'GC002',
      severity: gcCpuShare >= 0.25 ? 'error' : 'warning',
      title: `GC takes ${pct(gcCpuShare)} of the program's CPU`,
      message: `gctrace reports that GC used ${pct(gcCpuShare)} of the CPU since the program started, over ${cycles.length} cycles.`,
      location: {},
      evidence: { gcCpuShare, cycles: cycles.length },
      recommendation: `Reduce the allocation rate (the escape sites above, by bytes), or trade memory for CPU with GOGC (higher = fewer cycles) or GOMEMLIMIT.${topEscapeIds(result)}`,
    });
  }

  const stw = cycles
    .flatMap((c) => [
      { n: c.n, phase: 'sweep termination', ns: c.sweepTermNs },
      { n: c.n, phase: 'mark termination', ns: c.markTermNs },
    ])
    .filter((p) => typeof p.ns === 'number' && p.ns > t.stwNs)
    .sort((a, b) => b.ns - a.ns);
  if (stw.length > 0) {
    const worst = stw[0]!;
    out.push({
      id: findingId('GC004', 'stw'),
      rule: 'GC004',
      severity: worst.ns > 10 * t.stwNs ? 'error' : 'warning',
      title: `Stop-the-world pauses up to ${us(worst.ns)} (${stw.length} above ${us(t.stwNs)})`,
      message: `The longest pause is the ${worst.phase} of cycle ${worst.n}: ${us(worst.ns)}; every goroutine stops for it.`,
      location: {},
      evidence: { pausesAboveThreshold: stw.length, maxPauseNs: worst.ns, cycle: worst.n, phase: worst.phase, thresholdNs: t.stwNs },
      recommendation:
        'Long STW phases usually come from many goroutines or large stacks and globals to scan at termination, or from a non-preemptible loop delaying the stop: keep goroutine counts bounded, avoid tight loops without function calls, and upgrade Go (pause times improve release by release).',
    });
  }

  for (const l of result.latency) {
    if (l.kind !== 'duration' || !l.series.startsWith('syscall:bpf:') || l.count < 100) continue;
    if (l.p99Ns < t.bpfTailNs || l.p99Ns < t.bpfTailRatio * l.p50Ns) continue;
    const c = causality(l.gc);
    const cmd = l.series.slice('syscall:bpf:'.length);
    out.push({
      id: findingId('BPF001', l.source, l.series),
      rule: 'BPF001',
      severity: c?.verdict === 'gc-explains' ? 'warning' : 'info',
      title: `bpf(${cmd}) tail: p99 ${us(l.p99Ns)} is ${(l.p99Ns / Math.max(1, l.p50Ns)).toFixed(1)}× the median`,
      message: `${l.count} ${cmd} calls: p50 ${us(l.p50Ns)}, p99 ${us(l.p99Ns)}, p99.9 ${us(l.p999Ns)}, max ${us(l.maxNs)}. GC verdict for this series: ${l.gc?.verdict ?? 'not computed'}${c ? ` (lift ${c.lift?.toFixed(2)}, p = ${c.pValue?.toExponential(1)})` : ''}.`,
      location: {},
      evidence: { series: l.series, count: l.count, p50Ns: l.p50Ns, p99Ns: l.p99Ns, p999Ns: l.p999Ns, maxNs: l.maxNs, gcVerdict: l.gc?.verdict ?? null },
      recommendation:
        c?.verdict === 'gc-explains'
          ? 'The slow calls coincide with GC: allocate less around the map updates (see GC001) and batch them (Map.BatchUpdate) so fewer calls meet a GC cycle.'
          : 'The tail is not explained by GC: look at preemption and run-queue delay (SCHED001), map contention (per-CPU maps for hot counters), and batch updates (Map.BatchUpdate) to amortize the syscall.',
    });
  }

  for (const l of result.latency) {
    if (l.kind !== 'runqueue' || l.series === 'runqueue' || l.count < 20 || l.p99Ns < t.runqueueP99Ns) continue;
    const c = causality(l.gc);
    out.push({
      id: findingId('SCHED001', l.source, l.series),
      rule: 'SCHED001',
      severity: 'warning',
      title: `${l.series.slice('runqueue:'.length)} threads wait up to ${us(l.maxNs)} to run (p99 ${us(l.p99Ns)})`,
      message: `${l.count} wakeups of ${l.series.slice('runqueue:'.length)} threads waited p50 ${us(l.p50Ns)}, p99 ${us(l.p99Ns)}, max ${us(l.maxNs)} between wakeup and running${c ? `; ${pct(c.slowInsideShare ?? 0)} of the slowest overlap GC windows, which cover ${pct(c.gcTimeShare)} of the time (lift ${c.lift?.toFixed(2)}, p = ${c.pValue.toExponential(1)})` : ''}.`,
      location: {},
      evidence: { series: l.series, count: l.count, p50Ns: l.p50Ns, p99Ns: l.p99Ns, maxNs: l.maxNs, gcSlowInsideShare: c?.slowInsideShare ?? null, gcTimeShare: c?.gcTimeShare ?? null, gcLift: c?.lift ?? null },
      recommendation:
        'Run-queue delay means the CPUs were busy with other work: give the program more CPU (or fewer competing processes), set GOMAXPROCS to the CPU quota in containers, and keep GC workers from competing (GOGC/GOMEMLIMIT) when the slow wakeups overlap GC.',
    });
  }
  return out;
}
