import type { Limits } from '../limits.js';
import type { EscapeDiagnostic } from '../model/escape.js';
import type { AnalysisResult, InputSummary } from '../model/report.js';
import type { ByteSource } from '../parsers/bytes.js';
import { parseGoEscape } from '../parsers/go-escape.js';
import type { Collector } from './collector.js';

/** Escape-analysis inputs (`-m`, `-m=2`, `-json`): diagnostics kept for the join with the profiles. */
export class GoEscapeCollector implements Collector {
  readonly diagnostics: EscapeDiagnostic[] = [];

  constructor(private readonly limits: Limits) {}

  async consume(body: ByteSource, input: InputSummary): Promise<void> {
    const r = await parseGoEscape(body, { file: input.name, maxLineBytes: this.limits.lineBytes });
    this.diagnostics.push(...r.diagnostics);
    const byKind: Record<string, number> = {};
    for (const d of r.diagnostics) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
    input.summary = { format: r.format, packages: r.packages, diagnostics: r.diagnostics.length, byKind };
    for (const w of r.warnings.slice(0, 20)) input.warnings.push(`line ${w.line}: ${w.message}`);
    if (r.warnings.length > 20) input.warnings.push(`… and ${r.warnings.length - 20} more`);
  }

  finish(_result: AnalysisResult): void {
    // The join with the profiles happens in escape/join.ts once every input is read.
  }
}
