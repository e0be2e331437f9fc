import type { Limits } from '../limits.js';
import type { GcCycle } from '../model/gc.js';
import type { AnalysisResult, InputSummary } from '../model/report.js';
import type { ByteSource } from '../parsers/bytes.js';
import { parseGcTrace, summarizeGcTrace } from '../parsers/gctrace.js';
import type { Collector } from './collector.js';

/**
 * gctrace inputs → `gc.cycles[]` with times since the Go process started (gctrace's own clock);
 * `gc.alignment` stays null until the cycles are aligned onto the perf clock.
 */
export class GcTraceCollector implements Collector {
  private readonly cycles: GcCycle[] = [];
  /** GC's share of CPU (the last gctrace's cumulative `N%`), for GC002; null when no input printed one. */
  gcCpuShare: number | null = null;

  constructor(private readonly limits: Limits) {}

  async consume(body: ByteSource, input: InputSummary): Promise<void> {
    const r = await parseGcTrace(body, { file: input.name, maxLineBytes: this.limits.lineBytes });
    this.cycles.push(...r.cycles);
    const s = summarizeGcTrace(r);
    if (s.gcCpuShare !== null) this.gcCpuShare = Math.max(this.gcCpuShare ?? 0, s.gcCpuShare);
    input.summary = { ...s, cycles: r.cycles.length };
    for (const w of r.warnings.slice(0, 20)) input.warnings.push(`line ${w.line}: ${w.message}`);
    if (r.warnings.length > 20) input.warnings.push(`… and ${r.warnings.length - 20} more`);
  }

  finish(result: AnalysisResult): void {
    result.gc.cycles = this.cycles;
  }
}
