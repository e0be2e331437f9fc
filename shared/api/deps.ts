import type { Limits } from '../limits.js';
import type { Logger } from '../logger.js';
import type { Scope } from '../auth/api-keys.js';
import type { ApiKeyStore } from '../storage/dynamo-api-key-store.js';
import type { RepoStore } from '../storage/repo-store.js';
import type { AnalysisQueue, AnalysisStore, ArchiveStore, ReportBodyStore, RequestKeyStore, UploadSigner } from '../storage/ports.js';

/** Everything the HTTP API needs, injected (SDK clients live inside the stores). */
export interface ApiDeps {
  analyses: AnalysisStore;
  archives: ArchiveStore;
  reportBodies: ReportBodyStore;
  uploads: UploadSigner;
  repos: RepoStore;
  keys: ApiKeyStore;
  /** Idempotency-Key bindings of POST /v1/analyses and POST /v1/uploads. */
  requestKeys: RequestKeyStore;
  /** HMAC secrets for share links, newest first: links are signed with the first, verified with any (rotation). */
  shareSecrets: string[];
  /** Where re-analyses are announced; without one POST /v1/analyses/{id}/reanalyze answers 503-like conflict. */
  queue?: AnalysisQueue;
  limits: Limits;
  /** Days an analysis is kept unless pinned as a baseline (TTL). */
  retentionDays: number;
  log: Logger;
  now?: () => Date;
}

/** Set by `authenticate` (shared/api/auth.ts) from the API key; share links set `tenant` from the token. */
export type AppEnv = { Variables: { requestId: string; tenant: string; scopes: Scope[]; keyId: string } };
