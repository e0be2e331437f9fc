import type { Context } from 'hono';
import { z } from 'zod';
import { TraceLensError } from '../errors.js';
import { PAGE_CSP, renderHtmlPage, type FlameInput } from '../report/html/page.js';
import { renderJson, toReport } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { renderSlack } from '../report/slack.js';
import type { Report } from '../model/report.js';
import type { TimelinePoints } from '../model/timeline.js';
import type { AnalysisRecord } from '../storage/ports.js';
import type { ApiDeps } from './deps.js';

/** The formats of a report URL and of a share link (SPEC §5). */
export const FORMATS = ['json', 'md', 'slack', 'sarif', 'folded', 'html'] as const;
export type Format = (typeof FORMATS)[number];

const FormatQuery = z.enum(FORMATS).default('json');

export function parseFormat(q: string | undefined): Format {
  const r = FormatQuery.safeParse(q);
  if (!r.success) throw new TraceLensError('invalid_request', `format "${q}" is not one of ${FORMATS.join(', ')}`);
  return r.data;
}

/**
 * Content negotiation: with no explicit `?format=`, a request whose Accept prefers `text/html` over JSON
 * (a browser) gets the page.
 */
export function wantsHtml(c: Context): boolean {
  if (c.req.query('format') !== undefined) return false;
  const accept = c.req.header('accept');
  if (!accept) return false;
  let html = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    if (type === 'application/json') json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

/** One report in the asked format; `reportUrl` is where a reader goes back to (a share link or the API). */
export async function renderRecord(c: Context, deps: ApiDeps, record: AnalysisRecord, format: Format, reportUrl: string): Promise<Response> {
  // Without ?format= the representation depends on Accept: caches must key on it.
  if (c.req.query('format') === undefined) c.header('vary', 'Accept');
  if (format === 'html' || wantsHtml(c)) {
    const report = toReport(record);
    const flame = await flameInput(deps, record, report, c.req.query('event'));
    const timeline = await timelineInput(deps, record);
    return c.body(renderHtmlPage(report, { ...(flame ? { flame } : {}), ...(timeline ? { timeline } : {}) }), 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  }
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

/**
 * The folded stacks the page's flame graph draws: `?event=`, or the first hotspot's event that has stacks
 * (hotspots list sampling events first, busiest first: the CPU clock, usually). The page keeps only the hottest stacks of it.
 * A missing artifact leaves the page without a flame graph rather than failing it.
 */
async function flameInput(deps: ApiDeps, record: AnalysisRecord, report: Report, event: string | undefined): Promise<FlameInput | undefined> {
  if (record.status !== 'complete') return undefined;
  const folded = record.artifactKeys?.folded ?? {};
  const events = Object.keys(folded);
  if (events.length === 0) return undefined;
  // Hotspots come sampling events first (where CPU time goes), busiest first.
  const hotspot = report.hotspots.find((h) => folded[h.event]);
  const chosen = event && folded[event] ? event : (hotspot?.event ?? events[0]!);
  const h = report.hotspots.find((x) => x.event === chosen);
  try {
    const text = await deps.reportBodies.getArtifact(folded[chosen]!);
    return {
      event: chosen,
      folded: text,
      ...(h && h.totalWeight > 0 ? { samplesPerWeight: h.samples / h.totalWeight, unit: h.unit } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The operations the page's GC timeline plots; a missing or unreadable artifact leaves the per-cycle points. */
async function timelineInput(deps: ApiDeps, record: AnalysisRecord): Promise<TimelinePoints | undefined> {
  const key = record.status === 'complete' ? record.artifactKeys?.timeline : undefined;
  if (!key) return undefined;
  try {
    const parsed = TimelinePointsSchema.safeParse(JSON.parse(await deps.reportBodies.getArtifact(key)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const TimelinePointsSchema = z.object({
  version: z.literal(1),
  series: z.array(
    z
      .object({
        series: z.string(),
        kind: z.enum(['duration', 'gap', 'runqueue']),
        count: z.number().int().nonnegative(),
        slowNs: z.number(),
        startNs: z.array(z.number()),
        durationNs: z.array(z.number()),
      })
      .refine((p) => p.startNs.length === p.durationNs.length, 'startNs and durationNs pair up'),
  ),
}) satisfies z.ZodType<TimelinePoints>;
