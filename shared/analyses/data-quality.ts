import { LIMIT_SETTINGS } from '../limits.js';
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
  /** perf recorded without call graphs (`-g`): stacks are one frame deep. */
  noCallGraphs: 'DQ003',
  /** A large share of sampled frames is `[unknown]` (missing symbols, stripped binaries, no frame pointers). */
  unknownFrames: 'DQ004',
  /** perf lost events or chunks while recording. */
  lostEvents: 'DQ005',
  /** Several sampling events in one perf script; each is reported on its own. */
  mixedEvents: 'DQ006',
  /** Lines of an input that could not be parsed (each a warning with its line number). */
  unparsedLines: 'DQ007',
  /** Heap profile stacks cut at the Go runtime's 32-frame limit. */
  truncatedHeapStacks: 'DQ008',
  /** Escape diagnostics without a heap profile to weigh them (or the reverse). */
  escapeJoinIncomplete: 'DQ009',
  /** An analysis step failed (a bug of ours, not bad input); the rest of the report stands. */
  analysisStepFailed: 'DQ010',
  /** GC cycles could only be placed on the perf clock roughly: no causality is asserted. */
  weakClockAlignment: 'DQ011',
  /** Stacks deeper than the stackDepth limit: their leaf-most frames were kept under `[truncated]`. */
  deepStacks: 'DQ012',
  /** More distinct stacks than the distinctStacks limit: samples of further new stacks went to `[truncated]`. */
  tooManyStacks: 'DQ013',
} as const;

export function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export function analysisStepFailed(step: string, err: unknown): DataQualityItem {
  return {
    rule: DQ.analysisStepFailed,
    severity: 'error',
    message: `the ${step} analysis failed (${errorName(err)}); this part of the report is missing`,
  };
}

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

export function deepStacks(input: string, samples: number, deepest: number, maxDepth: number): DataQualityItem {
  return {
    rule: DQ.deepStacks,
    severity: 'warning',
    input,
    message:
      `${input}: ${samples} sample${samples === 1 ? '' : 's'} had stacks deeper than the stackDepth limit of ${maxDepth} frames ` +
      `(the deepest ${deepest}); their ${maxDepth} leaf-most frames were kept under [truncated] — set ` +
      `${LIMIT_SETTINGS.stackDepth.env} to keep more`,
  };
}

export function tooManyStacks(input: string, samples: number, weight: number, maxStacks: number): DataQualityItem {
  return {
    rule: DQ.tooManyStacks,
    severity: 'warning',
    input,
    message:
      `${input}: more distinct stacks than the distinctStacks limit of ${maxStacks}; ${samples} sample${samples === 1 ? '' : 's'} ` +
      `(weight ${weight}) of further new stacks were folded into one [truncated] stack — set ` +
      `${LIMIT_SETTINGS.distinctStacks.env} to keep more`,
  };
}
