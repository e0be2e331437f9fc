import type { AnalysisResult, InputSummary } from '../model/report.js';
import type { ByteSource } from '../parsers/bytes.js';

/**
 * One kind of input's analysis. An analysis makes one collector per kind; each input of that kind is
 * streamed through `consume` (which fills the input's summary and warnings), and `finish` adds what
 * the collector learned to the result once every input has been read — so analyses that join inputs
 * (escape sites × heap profile × perf stacks) see all of them.
 */
export interface Collector {
  consume(body: ByteSource, input: InputSummary): Promise<void>;
  finish(result: AnalysisResult, artifacts: Artifacts): void;
}

/** Outputs that are not part of the report JSON but are served from it (e.g. `?format=folded`). */
export interface Artifacts {
  /** Folded stacks per perf event, in stackcollapse-perf.pl's output format. */
  folded: Map<string, string>;
  /** The GC timeline's operation points (JSON of model/timeline.ts TimelinePoints), when there are any. */
  timeline?: string;
}

export function emptyArtifacts(): Artifacts {
  return { folded: new Map() };
}
