import type { Limits } from '../../limits.js';
import type { PerfHeader, PerfSample, PerfTaskEvent, PerfWarning } from '../../model/perf.js';
import type { AnalysisResult, Hotspot, InputSummary } from '../../model/report.js';
import type { ByteSource } from '../../parsers/bytes.js';
import { parsePerfScript } from '../../parsers/perf-script/index.js';
import type { Artifacts, Collector } from '../collector.js';
import type { CpuStacks } from '../escape/sites.js';
import { deepStacks, tooManyStacks } from '../data-quality.js';
import { formatFolded, PerfEventFolder, type FoldCuts, type FoldedStacks } from './fold.js';
import { topFunctions } from './hotspots.js';
import { PerfStats } from './perf-stats.js';
import { LatencySeriesBuilder } from '../latency/series.js';
import { GcActivityRecorder, type GcActivitySummary } from '../gc/gc-activity.js';
import { MarkAssistBlame, type MarkAssistResult } from '../gc/mark-assist.js';
import { FreshMappingFaults, type FreshFaultsResult } from '../memory/page-faults.js';

/**
 * perf script inputs → hotspots per event (weighted by period), folded stacks per event (the
 * `?format=folded` artifact, as stackcollapse-perf.pl folds them), per-thread counts and data quality.
 * One pass over each input; memory grows with distinct stacks, threads and events, not with samples.
 */
export class PerfScriptCollector implements Collector {
  private readonly inputs: Array<{
    name: string;
    cuts: FoldCuts;
    stats: PerfStats;
    folds: Map<string, FoldedStacks>;
    latency: LatencySeriesBuilder;
    gc: GcActivitySummary;
    assists: MarkAssistResult;
    faults: FreshFaultsResult;
  }> = [];

  constructor(private readonly limits: Limits) {}

  async consume(body: ByteSource, input: InputSummary): Promise<void> {
    const stats = new PerfStats();
    const folder = new PerfEventFolder({
      weighting: 'period',
      maxDepth: this.limits.stackDepth,
      maxStacks: this.limits.distinctStacks,
    });
    const latency = new LatencySeriesBuilder();
    const gc = new GcActivityRecorder();
    const assists = new MarkAssistBlame();
    const faults = new FreshMappingFaults();
    await parsePerfScript(
      body,
      {
        sample(s: PerfSample) {
          stats.sample(s);
          folder.sample(s);
          latency.sample(s);
          gc.sample(s);
          assists.sample(s);
          faults.sample(s);
        },
        task(t: PerfTaskEvent) {
          stats.task(t);
          gc.task(t);
          faults.task(t);
        },
        header(h: PerfHeader) {
          stats.header = h;
        },
        warning(w: PerfWarning) {
          stats.warning(w);
        },
      },
      { file: input.name, maxLineBytes: this.limits.lineBytes, maxFrames: this.limits.stackDepth },
    );
    input.summary = stats.summary();
    input.warnings.push(...stats.inputWarnings());
    this.inputs.push({
      name: input.name,
      cuts: folder.cuts,
      stats,
      folds: folder.byEvent(),
      latency,
      gc: gc.summary(),
      assists: assists.result(),
      faults: faults.result(),
    });
  }

  /**
   * Stacks of the busiest sampling event (task-clock, cycles, ...) as CPU stacks by function name, for
   * allocator CPU when there is no CPU profile; undefined without a sampling event.
   */
  cpuStacks(): CpuStacks | undefined {
    let best: { stacks: FoldedStacks; weight: number } | undefined;
    for (const { stats, folds } of this.inputs) {
      for (const event of stats.samplingEvents()) {
        const e = stats.events.get(event)!;
        const stacks = folds.get(event);
        if (stacks && (!best || e.weight > best.weight)) best = { stacks, weight: e.weight };
      }
    }
    if (!best) return undefined;
    const out: CpuStacks = { source: 'perf', total: 0, stacks: [] };
    for (const [stack, weight] of best.stacks) {
      out.total += weight;
      // Folded stacks are root first with the process name as the root: leaf first, without it.
      out.stacks.push({ frames: stack.split(';').slice(1).reverse().map((fn) => ({ function: fn })), weight });
    }
    return out;
  }

  /** GC activity perf saw (for clock alignment): the input with the most GC samples. */
  gcActivity(): GcActivitySummary | undefined {
    let best: GcActivitySummary | undefined;
    for (const { gc } of this.inputs) if (!best || gc.gcSamples > best.gcSamples) best = gc;
    return best;
  }

  /** Who pays GC mark assists (the input with the most assist weight). */
  markAssists(): MarkAssistResult | undefined {
    let best: MarkAssistResult | undefined;
    for (const { assists } of this.inputs) if (!best || assists.assistWeight > best.assistWeight) best = assists;
    return best;
  }

  /** The latency builder of the input a report series came from. */
  latencyOf(source: string): LatencySeriesBuilder | undefined {
    return this.inputs.find((i) => i.name === source)?.latency;
  }

  /** Every function name in the perf stacks (binding detection). */
  *functionNames(): Iterable<string> {
    const seen = new Set<string>();
    for (const { folds } of this.inputs) {
      for (const stacks of folds.values()) {
        for (const stack of stacks.keys()) {
          for (const fn of stack.split(';')) {
            if (!seen.has(fn)) {
              seen.add(fn);
              yield fn;
            }
          }
        }
      }
    }
  }

  finish(result: AnalysisResult, artifacts: Artifacts): void {
    const merged = new Map<string, FoldedStacks>();
    for (const { name, cuts, stats, folds, latency, faults } of this.inputs) {
      result.dataQuality.push(...stats.dataQuality(name));
      if (cuts.deepSamples > 0) result.dataQuality.push(deepStacks(name, cuts.deepSamples, cuts.deepest, this.limits.stackDepth));
      if (cuts.overflowSamples > 0) {
        result.dataQuality.push(tooManyStacks(name, cuts.overflowSamples, cuts.overflowWeight, this.limits.distinctStacks));
      }
      // Latency series (syscall and probe pairs, loop cadence, run-queue delay); GC causality comes later.
      for (const series of latency.series()) result.latency.push({ source: name, ...series });
      if (faults.faults > 0 && (!result.pageFaults || faults.faults > result.pageFaults.faults)) {
        result.pageFaults = { source: name, ...faults };
      }
      for (const [event, stacks] of folds) {
        const e = stats.events.get(event);
        if (!e || stacks.size === 0) continue;
        result.hotspots.push(hotspot(name, event, e.samples, e.weight, e.tracepoints > 0, stacks));
        const into = merged.get(event) ?? new Map<string, number>();
        for (const [stack, w] of stacks) into.set(stack, (into.get(stack) ?? 0) + w);
        merged.set(event, into);
      }
    }
    // Sampling events (where CPU time goes) before tracepoints (where calls come from), busiest first.
    const rank = (h: Hotspot) => (h.unit === 'period' ? 0 : 1);
    result.hotspots.sort((a, b) => rank(a) - rank(b) || b.samples - a.samples);
    // The folded artifact of the busiest event first: it is the default of `?format=folded`.
    const order = [...merged].sort((a, b) => sum(b[1]) - sum(a[1]));
    for (const [event, stacks] of order) artifacts.folded.set(event, formatFolded(stacks));
  }
}

function hotspot(
  source: string,
  event: string,
  samples: number,
  weight: number,
  tracepoint: boolean,
  stacks: FoldedStacks,
): Hotspot {
  return {
    source,
    event,
    // A tracepoint's period is 1 per hit; a sampling event's is its own unit (ns for task-clock).
    unit: tracepoint || weight === samples ? 'samples' : 'period',
    samples,
    totalWeight: weight,
    topFunctions: topFunctions(stacks, { skipFrames: 1 }),
  };
}

function sum(stacks: FoldedStacks): number {
  let n = 0;
  for (const w of stacks.values()) n += w;
  return n;
}
