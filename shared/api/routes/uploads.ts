import { Hono } from 'hono';
import { z } from 'zod';
import { TraceLensError } from '../../errors.js';
import { isId, newId } from '../../ids.js';
import { archiveKey } from '../../storage/keys.js';
import type { AnalysisRecord, UploadInfo } from '../../storage/ports.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { jsonBody, parse } from '../request-body.js';
import { canonicalJson, claimIdempotencyKey, fingerprintOf } from '../idempotency-key.js';
import { LABEL_KEY, MetadataFields, definedOnly, expiresAtFor } from './analyses.js';

/** SPEC §5: above this, uploads are multipart. */
export const MULTIPART_THRESHOLD_BYTES = 100 * 1024 * 1024;
/** S3 allows at most 10 000 parts of at least 5 MiB (but the last). */
const MIN_PART_BYTES = 16 * 1024 * 1024;
const MAX_PARTS = 10_000;
const MIB = 1024 * 1024;
/** How long presigned URLs work. Signed with the API's (temporary) credentials, they cannot outlive those. */
export const UPLOAD_URL_TTL_S = 3600;

export const UploadRequest = z.object({
  ...MetadataFields,
  labels: z.record(z.string().regex(LABEL_KEY, `label keys match ${LABEL_KEY}`), z.string().max(256)).optional(),
  fileName: z.string().trim().min(1).max(256).optional(),
  sizeBytes: z.number().int().positive(),
  /** PUT (default) or POST below the multipart threshold; MULTIPART is forced above it. */
  method: z.enum(['PUT', 'POST', 'MULTIPART']).optional(),
});

export const CompleteRequest = z.object({
  parts: z
    .array(z.object({ partNumber: z.number().int().min(1).max(MAX_PARTS), etag: z.string().min(1).max(1024) }))
    .min(1)
    .max(MAX_PARTS),
});

/** The part size for `bytes`: 16 MiB, or larger (whole MiB) so there are at most 10 000 parts. */
export function partSizeFor(bytes: number): number {
  return Math.max(MIN_PART_BYTES, Math.ceil(bytes / MAX_PARTS / MIB) * MIB);
}

/**
 * POST /v1/uploads: an analysis whose archive the client sends straight to S3 (presigned PUT, POST or
 * multipart parts). The ObjectCreated event then starts the analyzer like any archive; the analyzer
 * re-checks the stored size against `sizeBytes` and the limit.
 */
export function uploadsRoutes(deps: ApiDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<AppEnv>();

  app.post('/', async (c) => {
    const req = parse(UploadRequest, await jsonBody(c.req.raw));
    if (req.sizeBytes > deps.limits.archiveBytes) {
      throw new TraceLensError('too_large', `sizeBytes ${req.sizeBytes} is over the archive limit of ${deps.limits.archiveBytes} bytes`, {
        maxBytes: deps.limits.archiveBytes,
      });
    }
    const tenant = c.get('tenant');
    const created = now();
    const id = newId(created.getTime());
    const key = archiveKey(tenant, id);
    const urlExpiresAt = new Date(created.getTime() + UPLOAD_URL_TTL_S * 1000).toISOString();
    const completeUrl = (analysisId: string) => new URL(`/v1/uploads/${analysisId}/complete`, c.req.url).toString();
    const answer = (analysisId: string, upload: Record<string, unknown>) => {
      const reportUrl = new URL(`/v1/analyses/${analysisId}`, c.req.url).toString();
      c.header('Location', reportUrl);
      return c.json({ id: analysisId, status: 'pending', reportUrl, expiresAt: urlExpiresAt, upload }, 201);
    };
    const claim = await claimIdempotencyKey(c, deps, id, fingerprintOf('POST /v1/uploads', canonicalJson(req)), created.getTime());
    if ('replayed' in claim) {
      // The first attempt's answer was lost: the same upload, with freshly signed URLs.
      const record = claim.replayed;
      if (!record.upload || record.status !== 'pending' || record.upload.completedAt || (await deps.archives.hasArchive(record.archive.key))) {
        throw new TraceLensError('conflict', `the upload for this Idempotency-Key has already arrived (analysis ${record.id} ${record.status})`, {
          analysisId: record.id,
        });
      }
      return answer(record.id, await signUpload(deps, record.archive.key, record.upload, completeUrl(record.id)));
    }
    try {
      const method = req.sizeBytes > MULTIPART_THRESHOLD_BYTES || req.method === 'MULTIPART' ? 'MULTIPART' : (req.method ?? 'PUT');
      const info: UploadInfo = { method, declaredBytes: req.sizeBytes, expiresAt: urlExpiresAt };
      if (method === 'MULTIPART') {
        info.partSize = partSizeFor(req.sizeBytes);
        info.uploadId = await deps.uploads.startMultipart(key);
        info.parts = Math.ceil(req.sizeBytes / info.partSize);
      }
      const upload = await signUpload(deps, key, info, completeUrl(id));
      const record: AnalysisRecord = {
        tenant,
        id,
        ...definedOnly({ repo: req.repo, branch: req.branch, commit: req.commit }),
        labels: req.labels ?? {},
        status: 'pending',
        createdAt: created.toISOString(),
        expiresAt: expiresAtFor(created, deps.retentionDays),
        attempts: 0,
        archive: { key, bytes: req.sizeBytes, ...(req.fileName ? { fileName: req.fileName.split(/[\\/]/).pop()! } : {}) },
        upload: info,
      };
      await deps.analyses.create(record);
      return answer(id, upload);
    } catch (err) {
      await claim.claimed?.release();
      throw err;
    }
  });

  app.post('/:id/complete', async (c) => {
    const record = await pendingUpload(deps, c.get('tenant'), c.req.param('id'));
    const { parts } = parse(CompleteRequest, await jsonBody(c.req.raw));
    const expected = record.upload!.parts ?? 0;
    const numbers = parts.map((p) => p.partNumber).sort((a, b) => a - b);
    if (numbers.length !== expected || numbers.some((n, i) => n !== i + 1)) {
      throw new TraceLensError('invalid_request', `send every part exactly once: partNumber 1 to ${expected} with the ETag S3 returned for each`, {
        expectedParts: expected,
        received: numbers.length,
      });
    }
    await deps.uploads.completeMultipart(record.archive.key, record.upload!.uploadId!, [...parts].sort((a, b) => a.partNumber - b.partNumber));
    await deps.analyses.markUploadCompleted(record.tenant, record.id, now().toISOString());
    const reportUrl = new URL(`/v1/analyses/${record.id}`, c.req.url).toString();
    return c.json({ id: record.id, status: 'pending', reportUrl }, 202);
  });

  // Abandons an upload: aborts a multipart upload (S3 then frees its parts) and fails the analysis.
  app.delete('/:id', async (c) => {
    const record = await pendingUpload(deps, c.get('tenant'), c.req.param('id'), true);
    if (record.upload!.method === 'MULTIPART') await deps.uploads.abortMultipart(record.archive.key, record.upload!.uploadId!);
    await deps.analyses.fail(record.tenant, record.id, 'the upload was abandoned by the client (DELETE /v1/uploads/{id})', now().toISOString());
    return c.body(null, 204);
  });

  return app;
}

/** What the client needs to send the bytes: a presigned PUT or POST, or the part URLs and where to complete. */
async function signUpload(deps: ApiDeps, key: string, info: UploadInfo, completeUrl: string): Promise<Record<string, unknown>> {
  const method = info.method;
  if (method === 'PUT') return { method, ...(await deps.uploads.presignPut(key, info.declaredBytes, UPLOAD_URL_TTL_S)) };
  if (method === 'POST') return { method, ...(await deps.uploads.presignPost(key, info.declaredBytes, UPLOAD_URL_TTL_S)) };
  const parts = await deps.uploads.presignParts(key, info.uploadId!, info.declaredBytes, info.partSize!, UPLOAD_URL_TTL_S);
  return { method, partSize: info.partSize, parts, completeUrl };
}

async function pendingUpload(deps: ApiDeps, tenant: string, id: string, anyMethod = false): Promise<AnalysisRecord> {
  const record = isId(id) ? await deps.analyses.get(tenant, id, false) : undefined;
  if (!record || !record.upload) throw new TraceLensError('not_found', `upload ${id} not found`);
  if (!anyMethod && record.upload.method !== 'MULTIPART') {
    throw new TraceLensError('conflict', `upload ${id} is a ${record.upload.method} upload; only multipart uploads are completed through the API`);
  }
  if (record.upload.completedAt || record.status !== 'pending' || (await deps.archives.hasArchive(record.archive.key))) {
    throw new TraceLensError('conflict', `upload ${id} has already arrived (analysis ${record.status})`);
  }
  return record;
}
