/**
 * Where things live (SPEC §8). One place builds and parses every S3 key and DynamoDB key.
 */
export const ARCHIVE_PREFIX = 'archives/';

/** `archives/{tenant}/{analysisId}/archive` */
export function archiveKey(tenant: string, id: string): string {
  return `${ARCHIVE_PREFIX}${tenant}/${id}/archive`;
}

export const REPORTS_PREFIX = 'reports/';

/** `reports/{tenant}/{analysisId}.json` */
export function reportKey(tenant: string, id: string): string {
  return `${REPORTS_PREFIX}${tenant}/${id}.json`;
}

/** `reports/{tenant}/{analysisId}/folded/{event}.txt`: folded stacks of one perf event. */
export function foldedKey(tenant: string, id: string, event: string): string {
  return `${REPORTS_PREFIX}${tenant}/${id}/folded/${encodeURIComponent(event)}.txt`;
}

/** The GC timeline's operation points of an analysis (JSON, model/timeline.ts). */
export function timelineKey(tenant: string, id: string): string {
  return `${REPORTS_PREFIX}${tenant}/${id}/timeline.json`;
}

/** The inverse of archiveKey; undefined for any other key. */
export function parseArchiveKey(key: string): { tenant: string; id: string } | undefined {
  const m = /^archives\/([^/]+)\/([^/]+)\/archive$/.exec(key);
  return m ? { tenant: m[1]!, id: m[2]! } : undefined;
}

/** GSI names (infra/constructs/analysis-table.ts and shared/storage/provision.ts build the indexes under them). */
export const REPO_INDEX = 'GSI1';
export const BRANCH_INDEX = 'GSI2';
/** TTL attribute (epoch seconds): short-lived analyses and their findings, idempotency records. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * DynamoDB single-table keys (SPEC §8). Every item has `PK` and `SK`:
 *   analysis      PK `T#{tenant}#A#{id}`          SK `A`
 *   finding       PK `T#{tenant}#A#{id}`          SK `F#{findingId}`      (same partition: one Query reads both)
 *   baseline      PK `T#{tenant}#R#{repo}`        SK `BASE#{branch}`      → { analysisId, pinnedAt }
 *   idempotency   PK `I#{bucket}/{key}#{etag}#{generation}`  SK `I`       → { tenant, id, state, leaseUntil }
 *   api key       PK `K#{keyId}`                  SK `K`                  → { tenant, scopes, secretHash, ... }
 *   request key   PK `T#{tenant}#RK#{key}`        SK `RK`                 → { analysisId, fingerprint } (Idempotency-Key)
 * Indexes on analysis items: GSI1 (repo, newest first) and GSI2 (repo and branch, newest first); both
 * sort keys start with the ISO creation time, so a descending Query is newest first.
 */
export const ddbKeys = {
  analysis: (tenant: string, id: string) => ({ PK: `T#${tenant}#A#${id}`, SK: 'A' }),
  finding: (tenant: string, id: string, findingId: string) => ({ PK: `T#${tenant}#A#${id}`, SK: `F#${findingId}` }),
  findingPrefix: 'F#',
  /** GSI1: the per-repo index, newest first (sort key starts with the ISO creation time). */
  repoIndex: (tenant: string, repo: string, createdAt: string, id: string) => ({
    GSI1PK: `T#${tenant}#R#${repo}`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  /** GSI2: the per-repo-and-branch index, newest first. */
  branchIndex: (tenant: string, repo: string, branch: string, createdAt: string, id: string) => ({
    GSI2PK: `T#${tenant}#R#${repo}#B#${branch}`,
    GSI2SK: `${createdAt}#${id}`,
  }),
  baseline: (tenant: string, repo: string, branch: string) => ({ PK: `T#${tenant}#R#${repo}`, SK: `BASE#${branch}` }),
  idempotency: (bucket: string, key: string, etag: string, generation: number) => ({
    PK: `I#${bucket}/${key}#${etag}#${generation}`,
    SK: 'I',
  }),
  apiKey: (keyId: string) => ({ PK: `K#${keyId}`, SK: 'K' }),
  /** A client's Idempotency-Key, per tenant: two tenants may send the same one. */
  requestKey: (tenant: string, key: string) => ({ PK: `T#${tenant}#RK#${key}`, SK: 'RK' }),
};
