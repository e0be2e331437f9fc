import type { Limits } from '../limits.js';
import type { Logger } from '../logger.js';
import type { RepoStore } from '../storage/repo-store.js';
import type { AnalysisQueue, AnalysisStore, ArchiveStore, ReportBodyStore, UploadSigner } from '../storage/ports.js';

/** Everything the HTTP API needs, injected (SDK clients live inside the stores). */
export interface ApiDeps {
  analyses: AnalysisStore;
  archives: ArchiveStore;
  reportBodies: ReportBodyStore;
  uploads: UploadSigner;
  repos: RepoStore;
  /** Where re-analyses are announced; without one POST /v1/analyses/{id}/reanalyze answers 503-like conflict. */
  queue?: AnalysisQueue;
  limits: Limits;
  /** Days an analysis is kept unless pinned as a baseline (TTL). */
  retentionDays: number;
  log: Logger;
  /** Tenant for requests until API keys arrive (SPEC §5); the local service uses `local`. */
  defaultTenant: string;
  now?: () => Date;
}

export type AppEnv = { Variables: { requestId: string; tenant: string } };
