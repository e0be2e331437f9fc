import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { PerfFolder, type FoldOptions } from '../analyses/perf/fold.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import type { PerfSample, PerfTaskEvent, PerfWarning } from '../model/perf.js';
import { ByteReader, fromNodeStream, type ByteSource } from '../parsers/bytes.js';
import { gunzip, isGzip } from '../parsers/gzip.js';
import { parsePerfScript } from '../parsers/perf-script/index.js';
import { UsageError, type CliIo } from './io.js';

export const FOLD_USAGE = 'tracelens fold FILE [--pid] [--tid] [--kernel] [--jit] [--all] [--addrs] [--event-filter EV]';

/** Parser warnings printed to stderr before the rest are only counted. */
export const MAX_PRINTED_WARNINGS = 20;

/**
 * `tracelens fold`: folded stacks from `perf script` text (gzipped or not; `-` or no FILE is stdin),
 * printing what FlameGraph's `stackcollapse-perf.pl` prints for the same options.
 */
export async function foldCommand(argv: string[], io: CliIo, limits: Limits): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      pid: { type: 'boolean', default: false },
      tid: { type: 'boolean', default: false },
      kernel: { type: 'boolean', default: false },
      jit: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      addrs: { type: 'boolean', default: false },
      'event-filter': { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`fold takes one FILE, got ${positionals.length}\nusage: ${FOLD_USAGE}`);
  const path = positionals[0] ?? '-';
  const stdin = path === '-';
  const body = stdin ? (io.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: 1 << 20 });
  const { 'event-filter': eventFilter, ...flags } = values;
  const file = stdin ? '<stdin>' : path;
  const opts = { ...flags, ...(eventFilter !== undefined ? { eventFilter } : {}), file, limits };
  const run = await foldPerfScript(fromNodeStream(body), opts).catch((err: unknown) => {
    // A read error (EISDIR, EIO) does not say which file.
    if (err instanceof Error && 'syscall' in err && !('path' in err)) err.message = `${file}: ${err.message}`;
    throw err;
  });
  for (const line of run.stderr) io.stderr.write(`${line}\n`);
  io.stdout.write(run.stdout);
  return 0;
}

export interface FoldRun {
  /** What stackcollapse-perf.pl prints to stdout. */
  stdout: string;
  /** Lines for stderr: the script's notices, then the parser's warnings (the first ones, then a count). */
  stderr: string[];
  /** The parser's first MAX_PRINTED_WARNINGS warnings, and how many there were. */
  warnings: PerfWarning[];
  warningCount: number;
}

/** Folds one perf script, gzipped or not, as stackcollapse-perf.pl with these options. */
export async function foldPerfScript(
  source: ByteSource,
  opts: FoldOptions & { file: string; limits?: Limits },
): Promise<FoldRun> {
  const { file, limits = DEFAULT_LIMITS, ...fold } = opts;
  const reader = new ByteReader(source, { file });
  const text = isGzip(await reader.peek(3)) ? gunzip(reader.rest(), { file, limits }) : reader.rest();
  const folder = new PerfFolder(fold);
  const warnings: PerfWarning[] = [];
  let warningCount = 0;
  const sink = {
    sample: (s: PerfSample) => folder.sample(s),
    task: (t: PerfTaskEvent) => folder.task(t),
    warning: (w: PerfWarning) => {
      folder.warning(w);
      if (warningCount++ < MAX_PRINTED_WARNINGS) warnings.push(w);
    },
  };
  await parsePerfScript(text, sink, { file, maxLineBytes: limits.lineBytes });
  const stderr = [...folder.notices];
  for (const w of warnings) stderr.push(`${file}:${w.line}: ${w.message}`);
  if (warningCount > warnings.length) stderr.push(`${file}: ... and ${warningCount - warnings.length} more warnings`);
  return { stdout: folder.format(), stderr, warnings, warningCount };
}
