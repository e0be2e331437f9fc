import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { TraceLensError } from '../../errors.js';
import { isId, newId } from '../../ids.js';
import { renderJson, toReport } from '../../report/json.js';
import { renderMarkdown } from '../../report/markdown.js';
import { archiveKey } from '../../storage/keys.js';
import type { AnalysisRecord } from '../../storage/ports.js';
import type { ApiDeps, AppEnv } from '../deps.js';

/** SPEC §5: archives up to 6 MB go in the body of POST /v1/analyses; larger ones use /v1/uploads. */
export const DIRECT_UPLOAD_MAX_BYTES = 6 * 1024 * 1024;

const name = z.string().trim().min(1).max(256);
export const MetadataFields = {
  // `owner/name` (GitLab subgroups: `group/sub/name`); each part starts with a letter, digit or `_`.
  repo: name.regex(/^\w[\w.-]*(\/\w[\w.-]*)*$/, 'repo is owner/name: letters, digits, . _ - and /').optional(),
  branch: name.optional(),
  commit: name.optional(),
};
const MetadataQuery = z.object(MetadataFields);
export const LABEL_KEY = /^[\w.-]{1,64}$/;

/** TTL of a new analysis (epoch seconds): pinning it as a baseline removes it. */
export function expiresAtFor(createdAt: Date, retentionDays: number): number {
  return Math.floor(createdAt.getTime() / 1000) + retentionDays * 86_400;
}
const FORMATS = ['json', 'md', 'folded'] as const;

export function analysesRoutes(deps: ApiDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    bodyLimit({
      maxSize: DIRECT_UPLOAD_MAX_BYTES,
      onError: () => {
        throw new TraceLensError(
          'too_large',
          `the request body is over ${DIRECT_UPLOAD_MAX_BYTES} bytes; upload larger archives with POST /v1/uploads`,
          { maxBytes: DIRECT_UPLOAD_MAX_BYTES },
        );
      },
    }),
    async (c) => {
      const query = c.req.query();
      const meta = parse(MetadataQuery, query);
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(query)) {
        if (!k.startsWith('label.')) continue;
        const key = k.slice('label.'.length);
        if (!LABEL_KEY.test(key) || v.length > 256) {
          throw new TraceLensError('invalid_request', `label "${key}" must match ${LABEL_KEY} with a value of at most 256 characters`);
        }
        labels[key] = v;
      }
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (body.byteLength === 0) {
        throw new TraceLensError(
          'invalid_request',
          'the request body is empty: send the trace archive (.tar.gz, .tar, .zip, .gz or a single file) as the body',
        );
      }
      const tenant = c.get('tenant');
      const created = now();
      const id = newId(created.getTime());
      const record: AnalysisRecord = {
        tenant,
        id,
        ...definedOnly(meta),
        labels,
        status: 'pending',
        createdAt: created.toISOString(),
        expiresAt: expiresAtFor(created, deps.retentionDays),
        attempts: 0,
        archive: { key: archiveKey(tenant, id), bytes: body.byteLength },
      };
      const fileName = fileNameOf(c.req.header('content-disposition'));
      if (fileName) record.archive.fileName = fileName;
      // The record first: the archive's ObjectCreated event starts the analyzer, which needs it.
      await deps.analyses.create(record);
      try {
        await deps.archives.putArchive(record.archive.key, body, c.req.header('content-type'));
      } catch (err) {
        await deps.analyses.fail(tenant, id, 'the archive could not be stored; upload it again', now().toISOString());
        throw err;
      }
      const reportUrl = new URL(`/v1/analyses/${id}`, c.req.url).toString();
      c.header('Location', reportUrl);
      return c.json({ id, status: record.status, reportUrl }, 202);
    },
  );

  // Runs the analysis again on the stored archive (a new generation: its own delivery, its own report).
  app.post('/:id/reanalyze', async (c) => {
    const id = c.req.param('id');
    const tenant = c.get('tenant');
    const record = isId(id) ? await deps.analyses.get(tenant, id, false) : undefined;
    if (!record) throw new TraceLensError('not_found', `analysis ${id} not found`);
    if (!deps.queue) throw new TraceLensError('conflict', 'this deployment has no analysis queue configured (QUEUE_URL); re-analysis is unavailable');
    if (!(await deps.archives.hasArchive(record.archive.key))) {
      throw new TraceLensError('conflict', `analysis ${id} has no stored archive to analyse (the upload never arrived)`);
    }
    const generation = await deps.analyses.reanalyze(tenant, id, now().getTime());
    await deps.queue.enqueueReanalysis({ tenant, id, generation });
    const reportUrl = new URL(`/v1/analyses/${id}`, c.req.url).toString();
    return c.json({ id, status: 'pending', generation, reportUrl }, 202);
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const format = c.req.query('format') ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new TraceLensError('invalid_request', `format "${format}" is not one of ${FORMATS.join(', ')}`);
    }
    const record = isId(id) ? await deps.analyses.get(c.get('tenant'), id) : undefined;
    if (!record) throw new TraceLensError('not_found', `analysis ${id} not found`);
    if (format === 'folded') {
      const text = await foldedStacks(deps, record, c.req.query('event'));
      return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8' });
    }
    if (format === 'md') return c.body(renderMarkdown(toReport(record)), 200, { 'content-type': 'text/markdown; charset=utf-8' });
    return c.body(renderJson(toReport(record)), 200, { 'content-type': 'application/json; charset=utf-8' });
  });

  return app;
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

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new TraceLensError('invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
}

export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `attachment; filename="boxed.tar.gz"` → `boxed.tar.gz` (a label only, never used as a path). */
function fileNameOf(disposition: string | undefined): string | undefined {
  const m = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  const base = m?.[1]?.split(/[\\/]/).pop()?.trim();
  return base ? base.slice(0, 256) : undefined;
}
