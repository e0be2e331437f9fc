/**
 * Where things live (SPEC §8). One place builds and parses every S3 key and DynamoDB key.
 */
export const ARCHIVE_PREFIX = 'archives/';

/** `archives/{tenant}/{analysisId}/archive` */
export function archiveKey(tenant: string, id: string): string {
  return `${ARCHIVE_PREFIX}${tenant}/${id}/archive`;
}

/** `reports/{tenant}/{analysisId}.json` */
export function reportKey(tenant: string, id: string): string {
  return `reports/${tenant}/${id}.json`;
}

/** `reports/{tenant}/{analysisId}/folded/{event}.txt`: folded stacks of one perf event. */
export function foldedKey(tenant: string, id: string, event: string): string {
  return `reports/${tenant}/${id}/folded/${encodeURIComponent(event)}.txt`;
}

/** The inverse of archiveKey; undefined for any other key. */
export function parseArchiveKey(key: string): { tenant: string; id: string } | undefined {
  const m = /^archives\/([^/]+)\/([^/]+)\/archive$/.exec(key);
  return m ? { tenant: m[1]!, id: m[2]! } : undefined;
}

/** DynamoDB single-table keys. */
export const ddbKeys = {
  analysis: (tenant: string, id: string) => ({ PK: `T#${tenant}#A#${id}`, SK: 'A' }),
  /** GSI1: the per-repo index, newest first (sort key starts with the ISO creation time). */
  repoIndex: (tenant: string, repo: string, createdAt: string, id: string) => ({
    GSI1PK: `T#${tenant}#R#${repo}`,
    GSI1SK: `${createdAt}#${id}`,
  }),
};
