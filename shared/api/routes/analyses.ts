import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { TraceLensError } from '../../errors.js';
import { isId, newId } from '../../ids.js';
import { signShareToken } from '../../auth/share-tokens.js';
import { parseFormat, renderRecord } from '../render-report.js';
import { jsonBody, parse } from '../request-body.js';
import { canonicalJson, claimIdempotencyKey, fingerprintOf } from '../idempotency-key.js';
import { compareReports } from '../../analyses/compare/compare.js';
import { mergeThresholds, parseThresholdsQuery } from '../../analyses/compare/gate.js';
import { toReport } from '../../report/json.js';
import { renderCompareMarkdown } from '../../report/compare-markdown.js';
import { archiveKey } from '../../storage/keys.js';
import type { AnalysisRecord } from '../../storage/ports.js';
import type { ApiDeps, AppEnv } from '../deps.js';

/** SPEC §5: archives up to 6 MB go in the body of POST /v1/analyses; larger ones use /v1/uploads. */
export const DIRECT_UPLOAD_MAX_BYTES = 6 * 1024 * 1024;

const name = z.string().trim().min(1).max(256);
/** `owner/name` (GitLab subgroups: `group/sub/name`); each part starts with a letter, digit or `_`. */
export const REPO_PATTERN = /^\w[\w.-]*(\/\w[\w.-]*)*$/;
export const MetadataFields = {
  repo: name.regex(REPO_PATTERN, 'repo is owner/name: letters, digits, . _ - and /').optional(),
  branch: name.optional(),
  commit: name.optional(),
};
export const MetadataQuery = z.object(MetadataFields);
export const LABEL_KEY = /^[\w.-]{1,64}$/;

/** TTL of a new analysis (epoch seconds): pinning it as a baseline removes it. */
export function expiresAtFor(createdAt: Date, retentionDays: number): number {
  return Math.floor(createdAt.getTime() / 1000) + retentionDays * 86_400;
}
export const ShareRequest = z.object({
  /** Default 7 days, at most 30. */
  expiresInSeconds: z.number().int().min(60).max(30 * 86_400).default(7 * 86_400),
});

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
      const key = await claimIdempotencyKey(c, deps, id, fingerprintOf('POST /v1/analyses', canonicalJson({ ...meta, labels }), body), created.getTime());
      if ('replayed' in key) {
        const reportUrl = new URL(`/v1/analyses/${key.replayed.id}`, c.req.url).toString();
        c.header('Location', reportUrl);
        return c.json({ id: key.replayed.id, status: key.replayed.status, reportUrl }, 202);
      }
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
      try {
        await deps.analyses.create(record);
      } catch (err) {
        await key.claimed?.release();
        throw err;
      }
      try {
        await deps.archives.putArchive(record.archive.key, body, c.req.header('content-type'));
      } catch (err) {
        await deps.analyses.fail(tenant, id, 'the archive could not be stored; upload it again', now().toISOString());
        // A retry with the same Idempotency-Key makes a new analysis rather than return this failed one.
        await key.claimed?.release();
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
    const format = parseFormat(c.req.query('format'));
    const record = isId(id) ? await deps.analyses.get(c.get('tenant'), id) : undefined;
    if (!record) throw new TraceLensError('not_found', `analysis ${id} not found`);
    return renderRecord(c, deps, record, format, new URL(`/v1/analyses/${id}`, c.req.url).toString());
  });

  // The report against a baseline, with the CI gate (SPEC §5): base is an id or `branch:NAME` (that
  // branch's pinned baseline, else its newest complete analysis). Thresholds: defaults < the repo's
  // (PUT /v1/repos/{repo}/gate) < this request's query.
  app.get('/:id/compare', async (c) => {
    const id = c.req.param('id');
    const tenant = c.get('tenant');
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'md') throw new TraceLensError('invalid_request', `format "${format}" is not one of json, md`);
    const head = isId(id) ? await deps.analyses.get(tenant, id) : undefined;
    if (!head) throw new TraceLensError('not_found', `analysis ${id} not found`);
    const baseRef = c.req.query('base');
    if (!baseRef) throw new TraceLensError('invalid_request', 'base is required: an analysis id or branch:NAME');
    const base = await resolveBase(deps, tenant, head, baseRef);
    for (const [what, r] of [['analysis', head], ['base', base]] as const) {
      if (r.status !== 'complete' || !r.result) {
        throw new TraceLensError('conflict', `the ${what} ${r.id} is ${r.status}; compare complete analyses`, { id: r.id, status: r.status });
      }
    }
    const repoGate = head.repo ? await deps.repos.getGate(tenant, head.repo) : {};
    const comparison = compareReports(toReport(base), toReport(head), mergeThresholds(repoGate, parseThresholdsQuery(c.req.query())));
    if (format === 'md') return c.body(renderCompareMarkdown(comparison), 200, { 'content-type': 'text/markdown; charset=utf-8' });
    return c.json(comparison);
  });

  // A signed, expiring, read-only link to this report for chatops (GET /v1/share/{token}, no key).
  app.post('/:id/share', async (c) => {
    const id = c.req.param('id');
    const tenant = c.get('tenant');
    const body = parse(ShareRequest, await jsonBody(c.req.raw, { emptyAs: {} }));
    const record = isId(id) ? await deps.analyses.get(tenant, id, false) : undefined;
    if (!record) throw new TraceLensError('not_found', `analysis ${id} not found`);
    if (deps.shareSecrets.length === 0) throw new TraceLensError('conflict', 'share links are not configured on this deployment (no signing secret)');
    const expiresAt = Math.floor(now().getTime() / 1000) + body.expiresInSeconds;
    const token = signShareToken({ tenant, analysisId: id, expiresAt }, deps.shareSecrets[0]!);
    const url = new URL(`/v1/share/${token}`, c.req.url).toString();
    return c.json({ url, expiresAt: new Date(expiresAt * 1000).toISOString() }, 201);
  });

  return app;
}

async function resolveBase(deps: ApiDeps, tenant: string, head: AnalysisRecord, ref: string): Promise<AnalysisRecord> {
  if (isId(ref)) {
    const base = await deps.analyses.get(tenant, ref);
    if (!base) throw new TraceLensError('not_found', `base analysis ${ref} not found`);
    return base;
  }
  const m = /^branch:(.{1,256})$/.exec(ref);
  if (!m) throw new TraceLensError('invalid_request', `base "${ref}" is neither an analysis id nor branch:NAME`);
  const branch = m[1]!;
  if (!head.repo) throw new TraceLensError('invalid_request', `analysis ${head.id} has no repo, so branch:${branch} means nothing; give a base id`);
  const pinned = await deps.repos.getBaseline(tenant, head.repo, branch);
  if (pinned) {
    const base = await deps.analyses.get(tenant, pinned.analysisId);
    if (base) return base;
  }
  // No pin: the newest complete analysis of that branch other than the head itself.
  let cursor: string | undefined;
  for (let pages = 0; pages < 5; pages++) {
    const page = await deps.repos.listAnalyses(tenant, head.repo, { branch, limit: 50, ...(cursor ? { cursor } : {}) });
    const hit = page.items.find((i) => i.status === 'complete' && i.id !== head.id);
    if (hit) return (await deps.analyses.get(tenant, hit.id))!;
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  throw new TraceLensError('not_found', `branch ${branch} of ${head.repo} has no baseline pinned and no complete analysis to compare with`);
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
