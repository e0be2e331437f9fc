/**
 * `perf script` text: a streaming parser that yields the records of shared/model/perf.ts to a sink.
 *
 *   const stats = await parsePerfScript(source, { sample(s) { ... }, warning(w) { ... } }, { file: 'perf.txt' });
 *
 * Strings in the records may be slices of a large decoded chunk: copy the ones you keep (see PerfFrame).
 */
import type { PerfScriptSink } from '../../model/perf.js';
import type { ByteSource } from '../bytes.js';
import { PerfScriptParser, type PerfScriptOptions, type PerfScriptStats } from './parser.js';

export { PerfScriptParser, type PerfScriptOptions, type PerfScriptStats } from './parser.js';

/** Reads a whole source through a PerfScriptParser: one `await` per chunk, none per line. */
export async function parsePerfScript(source: ByteSource, sink: PerfScriptSink, opts: PerfScriptOptions): Promise<PerfScriptStats> {
  const parser = new PerfScriptParser(sink, opts);
  for await (const chunk of source) parser.push(chunk);
  return parser.end();
}
