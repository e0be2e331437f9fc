import type { DataQualityItem } from '../model/report.js';

/**
 * Data-quality rules (SPEC §3 `DQ001`...): one stable id per problem. Later analyses add theirs here,
 * so the catalog stays in one place.
 */
export const DQ = {
  /** An archive entry could not be read (corrupt, truncated, over a limit); the others were analysed. */
  unreadableInput: 'DQ001',
  /** An archive entry is none of the known input kinds (SPEC §1) and was skipped. */
  unrecognizedInput: 'DQ002',
} as const;

export function unreadableInput(input: string, error: string): DataQualityItem {
  return { rule: DQ.unreadableInput, severity: 'warning', input, message: `${input} could not be read: ${error}` };
}

export function unrecognizedInput(input: string): DataQualityItem {
  return {
    rule: DQ.unrecognizedInput,
    severity: 'info',
    input,
    message: `${input} is not a recognized input (perf script, pprof, escape analysis, gctrace, perf sched latency, folded stacks, manifest); skipped`,
  };
}
