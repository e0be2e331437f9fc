import type { Limits } from '../limits.js';
import type { AnalysisResult, InputSummary } from '../model/report.js';
import type { SchedLatencyTable } from '../model/sched.js';
import type { ByteSource } from '../parsers/bytes.js';
import { parsePerfSchedLatency } from '../parsers/perf-sched-latency.js';
import type { Collector } from './collector.js';

/** `perf sched latency` inputs → the report's `sched.tables[]`, warnings on the input. */
export class SchedLatencyCollector implements Collector {
  private readonly tables: Array<SchedLatencyTable & { source: string }> = [];

  constructor(private readonly limits: Limits) {}

  async consume(body: ByteSource, input: InputSummary): Promise<void> {
    const table = await parsePerfSchedLatency(body, { file: input.name, maxLineBytes: this.limits.lineBytes });
    this.tables.push({ source: input.name, ...table });
    const worst = [...table.tasks].sort((a, b) => b.maxDelayNs - a.maxDelayNs)[0];
    input.summary = {
      tasks: table.tasks.length,
      ...(table.total ? { totalSwitches: table.total.switches } : {}),
      ...(worst ? { worstTask: worst.task, worstMaxDelayNs: worst.maxDelayNs } : {}),
    };
    for (const w of table.warnings.slice(0, 20)) input.warnings.push(`line ${w.line}: ${w.message}`);
    if (table.warnings.length > 20) input.warnings.push(`… and ${table.warnings.length - 20} more`);
  }

  finish(result: AnalysisResult): void {
    if (this.tables.length > 0) result.sched = { tables: this.tables };
  }
}
