import { analyze } from '../analyses/analyze.js';
import { TraceLensError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { Logger } from '../logger.js';
import type { AnalysisProgress } from '../model/report.js';
import type { AnalysisStore, ArchiveStore } from '../storage/ports.js';

export interface AnalyzerDeps {
  analyses: AnalysisStore;
  archives: ArchiveStore;
  limits: Limits;
  log: Logger;
  now?: () => Date;
  /** Deliveries of one analysis after which an unexpected error fails it instead of retrying. Default 3. */
  maxAttempts?: number;
  /** How often progress is written while reading. Default 2 s. */
  progressIntervalMs?: number;
}

export type RunOutcome = 'complete' | 'failed' | 'skipped';

/**
 * Runs one analysis: `pending` (or a `running` left by a crashed attempt) → `running` → `complete`,
 * or `failed` with an error that names the entry and the offset. The archive is only read, never
 * deleted. Unexpected errors (a store that is down) are thrown so the queue redelivers; on the last
 * attempt they fail the analysis with the reason instead.
 */
export async function runAnalysis(deps: AnalyzerDeps, tenant: string, id: string): Promise<RunOutcome> {
  const now = deps.now ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? 3;
  const record = await deps.analyses.start(tenant, id, ['pending', 'running'], now().toISOString());
  if (!record) {
    const existing = await deps.analyses.get(tenant, id);
    if (!existing) deps.log.warn('archive has no analysis record; ignored', { tenant, id });
    else deps.log.info('analysis already finished; duplicate delivery ignored', { tenant, id, status: existing.status });
    return 'skipped';
  }
  deps.log.info('analysis started', { tenant, id, attempt: record.attempts, archive: record.archive.key });

  const progress = progressWriter(deps, tenant, id);
  try {
    const stored = await deps.archives.openArchive(record.archive.key);
    const outcome = await analyze(
      [{ name: record.archive.fileName ?? 'archive', body: stored.body, bytes: stored.bytes }],
      { limits: deps.limits, onProgress: progress.update },
    );
    await progress.flush();
    if (outcome.error) {
      await deps.analyses.fail(tenant, id, outcome.error.message, now().toISOString(), outcome.result);
      deps.log.warn('analysis failed', { tenant, id, error: outcome.error.message });
      return 'failed';
    }
    await deps.analyses.complete(tenant, id, outcome.result, now().toISOString(), outcome.artifacts);
    deps.log.info('analysis complete', { tenant, id, inputs: outcome.result.inputs.length });
    return 'complete';
  } catch (err) {
    await progress.flush().catch(() => {});
    if (record.attempts < maxAttempts && !(err instanceof TraceLensError && err.code === 'not_found')) throw err;
    const reason =
      err instanceof TraceLensError ? err.message : `internal error after ${record.attempts} attempts (${describe(err)})`;
    await deps.analyses.fail(tenant, id, reason, now().toISOString());
    deps.log.error('analysis failed', { tenant, id, error: describe(err) });
    return 'failed';
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Writes progress at most every progressIntervalMs, one write at a time. */
function progressWriter(deps: AnalyzerDeps, tenant: string, id: string) {
  const interval = deps.progressIntervalMs ?? 2000;
  let last = Date.now();
  let inflight: Promise<void> = Promise.resolve();
  return {
    update(p: AnalysisProgress) {
      const t = Date.now();
      if (t - last < interval) return;
      last = t;
      inflight = inflight
        .then(() => deps.analyses.saveProgress(tenant, id, p))
        .catch((err) => deps.log.warn('progress not saved', { tenant, id, error: describe(err) }));
    },
    flush: () => inflight,
  };
}
