import type { Context } from 'hono';
import { z } from 'zod';
import { TraceLensError } from '../errors.js';
import { renderJson, toReport } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { renderSlack } from '../report/slack.js';
import type { AnalysisRecord } from '../storage/ports.js';
import type { ApiDeps } from './deps.js';

/** The formats of a report URL and of a share link (SPEC §5). */
export const FORMATS = ['json', 'md', 'slack', 'sarif', 'folded'] as const;
export type Format = (typeof FORMATS)[number];

const FormatQuery = z.enum(FORMATS).default('json');

export function parseFormat(q: string | undefined): Format {
  const r = FormatQuery.safeParse(q);
  if (!r.success) throw new TraceLensError('invalid_request', `format "${q}" is not one of ${FORMATS.join(', ')}`);
  return r.data;
}

/** One report in the asked format; `reportUrl` is where a reader goes back to (a share link or the API). */
export async function renderRecord(c: Context, deps: ApiDeps, record: AnalysisRecord, format: Format, reportUrl: string): Promise<Response> {
  if (format === 'folded') {
    const text = await foldedStacks(deps, record, c.req.query('event'));
    return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8' });
  }
  if (format === 'slack') return c.json(renderSlack(toReport(record), { reportUrl }));
  if (format === 'sarif') {
    return c.body(JSON.stringify(renderSarif(toReport(record), { reportUrl })), 200, { 'content-type': 'application/sarif+json; charset=utf-8' });
  }
  if (format === 'md') return c.body(renderMarkdown(toReport(record)), 200, { 'content-type': 'text/markdown; charset=utf-8' });
  return c.body(renderJson(toReport(record)), 200, { 'content-type': 'application/json; charset=utf-8' });
}

/**
 * `?format=folded[&event=E]`: the folded stacks (stackcollapse-perf.pl format, ready for flamegraph.pl
 * or speedscope) of one perf event; by default the sampling event with the most samples.
 */
async function foldedStacks(deps: ApiDeps, record: AnalysisRecord, event: string | undefined): Promise<string> {
  if (record.status !== 'complete') {
    throw new TraceLensError('conflict', `analysis ${record.id} is ${record.status}; folded stacks exist once it is complete`);
  }
  const folded = record.artifactKeys?.folded ?? {};
  const events = Object.keys(folded);
  if (events.length === 0) throw new TraceLensError('not_found', `analysis ${record.id} has no perf stacks to fold`);
  const chosen = event ?? events[0]!;
  const key = folded[chosen];
  if (!key) {
    throw new TraceLensError('not_found', `analysis ${record.id} has no folded stacks for event "${chosen}"`, { events });
  }
  return deps.reportBodies.getArtifact(key);
}
