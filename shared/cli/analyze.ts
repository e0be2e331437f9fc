import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyze } from '../analyses/analyze.js';
import { newId } from '../ids.js';
import type { Limits } from '../limits.js';
import { SCHEMA_VERSION, type Report } from '../model/report.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { progressPrinter } from './progress.js';
import { sourcesFromPaths } from './sources.js';
import { UsageError, type CliIo } from './io.js';

export const ANALYZE_USAGE = 'tracelens analyze PATH... [--format json|md] [--out FILE]';

/** `tracelens analyze`: the whole analysis on this machine, no server; the same report as the service. */
export async function analyzeCommand(argv: string[], io: CliIo, limits: Limits): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'json' }, out: { type: 'string' } },
  });
  if (positionals.length === 0) throw new UsageError(`no PATH given\nusage: ${ANALYZE_USAGE}`);
  const format = values.format;
  if (format !== 'json' && format !== 'md') throw new UsageError(`--format must be json or md, not "${format}"`);

  const createdAt = new Date().toISOString();
  const progress = progressPrinter(io.stderr);
  const outcome = await analyze(sourcesFromPaths(positionals), { limits, onProgress: progress.update });
  progress.done();
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    id: newId(),
    labels: {},
    status: outcome.error ? 'failed' : 'complete',
    ...(outcome.error ? { error: outcome.error.message } : {}),
    createdAt,
    startedAt: createdAt,
    completedAt: new Date().toISOString(),
    ...outcome.result,
  };
  const text = format === 'json' ? renderJson(report) : renderMarkdown(report);
  if (values.out) writeFileSync(values.out, text);
  else io.stdout.write(text);
  if (outcome.error) io.stderr.write(`tracelens: analysis failed: ${outcome.error.message}\n`);
  return outcome.error ? 1 : 0;
}
