import type { Logger } from '../logger.js';
import type { AnalysisStore, ArchiveStore, ReportBodyStore } from '../storage/ports.js';

/** Everything the HTTP API needs, injected (SDK clients live inside the stores). */
export interface ApiDeps {
  analyses: AnalysisStore;
  archives: ArchiveStore;
  reportBodies: ReportBodyStore;
  log: Logger;
  /** Tenant for requests until API keys arrive (SPEC §5); the local service uses `local`. */
  defaultTenant: string;
  now?: () => Date;
}

export type AppEnv = { Variables: { requestId: string; tenant: string } };
