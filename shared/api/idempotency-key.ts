import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { TraceLensError } from '../errors.js';
import type { AnalysisRecord } from '../storage/ports.js';
import type { ApiDeps, AppEnv } from './deps.js';

/**
 * The `Idempotency-Key` request header (IETF httpapi draft,
 * https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/) on POST /v1/analyses and
 * POST /v1/uploads: a client that retries after a lost answer (a reset, a gateway 502 after the work was
 * done) sends the same key and gets the analysis its first attempt made, not a second one.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

// Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"   (the draft's quoted form; a bare token is accepted too)
const KEY = /^"?([\x21\x23-\x7e]{1,255})"?$/;

/** The key from the header, or undefined when there is none; a malformed one is a 400. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = KEY.exec(header.trim());
  if (!m) {
    throw new TraceLensError('invalid_request', `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 printable ASCII characters (a UUID, say), optionally in double quotes`);
  }
  return m[1]!;
}

/** What a request was: its route and a SHA-256 of what it asked for. */
export function fingerprintOf(route: string, ...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return `${route} ${h.digest('hex')}`;
}

/** JSON with object keys sorted, so the same request body always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export interface ClaimedKey {
  /** Frees the key (the request failed before it stored anything): a retry with it starts afresh. */
  release(): Promise<void>;
}

/**
 * Binds the request's key to the analysis `id` it is about to make. When the key was bound before: the
 * record of the first request's analysis (`replayed`), after checking the request is the same one; a key
 * reused for a different request is a 400, and one whose first request is still being handled a 409.
 */
export async function claimIdempotencyKey(
  c: Context<AppEnv>,
  deps: ApiDeps,
  id: string,
  fingerprint: string,
  nowMs: number,
): Promise<{ replayed: AnalysisRecord } | { claimed: ClaimedKey | undefined }> {
  const key = idempotencyKeyOf(c.req.header(IDEMPOTENCY_KEY_HEADER));
  if (key === undefined) return { claimed: undefined };
  const tenant = c.get('tenant');
  const prior = await deps.requestKeys.bind(tenant, key, { analysisId: id, fingerprint }, nowMs);
  if (!prior) return { claimed: { release: () => deps.requestKeys.unbind(tenant, key, id) } };
  if (prior.fingerprint !== fingerprint) {
    throw new TraceLensError(
      'invalid_request',
      `${IDEMPOTENCY_KEY_HEADER} ${key} was used for a different request (analysis ${prior.analysisId}); send a new key for a new request`,
      { analysisId: prior.analysisId },
    );
  }
  // The first request binds the key, then creates the analysis a moment later: give it that moment.
  for (let i = 0; i < 20; i++) {
    const record = await deps.analyses.get(tenant, prior.analysisId, false);
    if (record) {
      c.header('Idempotent-Replayed', 'true');
      return { replayed: record };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new TraceLensError(
    'conflict',
    `the first request with ${IDEMPOTENCY_KEY_HEADER} ${key} is still being handled (analysis ${prior.analysisId}); retry in a moment`,
    { analysisId: prior.analysisId },
  );
}
