import { analyze } from '../analyses/analyze.js';
import { TraceLensError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { Logger } from '../logger.js';
import type { AnalysisProgress } from '../model/report.js';
import type { AnalysisRecord, AnalysisStore, ArchiveStore } from '../storage/ports.js';

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
  /** How long one attempt holds the analysis before another may take it over. */
  leaseMs?: number;
}

export type RunOutcome = 'complete' | 'failed' | 'skipped';

/**
 * Runs one analysis: `pending` (or a `running` one whose attempt died: its lease ran out) → `running`
 * → `complete`, or `failed` with an error that names the entry and the offset. The attempt number is a
 * fencing token: an attempt that lost its lease (a zombie) cannot complete or fail the analysis. The
 * archive is only read, never deleted. Unexpected errors (a store that is down) are thrown so the queue
 * redelivers; on the last attempt they fail the analysis with the reason instead.
 */
export async function runAnalysis(deps: AnalyzerDeps, tenant: string, id: string): Promise<RunOutcome> {
  const now = deps.now ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? 3;
  const startedAt = now();
  const leaseUntil = startedAt.getTime() + (deps.leaseMs ?? 16 * 60 * 1000);
  const record = await deps.analyses.start(tenant, id, ['pending', 'running'], startedAt.toISOString(), leaseUntil);
  if (!record) {
    const existing = await deps.analyses.get(tenant, id, false);
    if (!existing) deps.log.warn('archive has no analysis record; ignored', { tenant, id });
    else deps.log.info('analysis finished or held by a live attempt; delivery ignored', { tenant, id, status: existing.status });
    return 'skipped';
  }
  const attempt = record.attempts;
  deps.log.info('analysis started', { tenant, id, attempt, archive: record.archive.key });

  const progress = progressWriter(deps, tenant, id);
  try {
    const stored = await deps.archives.openArchive(record.archive.key);
    const sizeProblem = checkSize(record, stored.bytes, deps.limits);
    if (sizeProblem) {
      (stored.body as { destroy?: () => void }).destroy?.();
      await deps.analyses.fail(tenant, id, sizeProblem, now().toISOString(), undefined, { attempt });
      deps.log.warn('analysis failed', { tenant, id, error: sizeProblem });
      return 'failed';
    }
    const outcome = await analyze(
      [{ name: record.archive.fileName ?? 'archive', body: stored.body, bytes: stored.bytes }],
      { limits: deps.limits, onProgress: progress.update },
    );
    await progress.flush();
    if (outcome.error) {
      await deps.analyses.fail(tenant, id, outcome.error.message, now().toISOString(), outcome.result, { attempt });
      deps.log.warn('analysis failed', { tenant, id, error: outcome.error.message });
      return 'failed';
    }
    await deps.analyses.complete(tenant, id, outcome.result, now().toISOString(), outcome.artifacts, attempt);
    deps.log.info('analysis complete', { tenant, id, attempt, inputs: outcome.result.inputs.length });
    return 'complete';
  } catch (err) {
    await progress.flush().catch(() => {});
    if (err instanceof TraceLensError && err.code === 'conflict') {
      // Another attempt took the analysis over while this one ran: its result stands.
      deps.log.warn('attempt lost its lease; its result is dropped', { tenant, id, attempt, error: err.message });
      return 'skipped';
    }
    if (attempt < maxAttempts && !(err instanceof TraceLensError && err.code === 'not_found')) throw err;
    const reason = err instanceof TraceLensError ? err.message : `internal error after ${attempt} attempts (${describe(err)})`;
    await deps.analyses.fail(tenant, id, reason, now().toISOString(), undefined, { attempt });
    deps.log.error('analysis failed', { tenant, id, error: describe(err) });
    return 'failed';
  }
}

/** The stored archive against the size the client declared and the limit (S3 and the emulator do not enforce either for us). */
function checkSize(record: AnalysisRecord, bytes: number, limits: Limits): string | undefined {
  const declared = record.upload?.declaredBytes;
  if (declared !== undefined && bytes !== declared) {
    return `the uploaded archive is ${bytes} bytes but ${declared} were declared (sizeBytes of POST /v1/uploads); it was not analysed and is kept — upload it again with its real size`;
  }
  if (bytes > limits.archiveBytes) {
    return `the archive is ${bytes} bytes, over the limit of ${limits.archiveBytes} bytes (TRACELENS_LIMIT_ARCHIVE_BYTES); it was not analysed and is kept`;
  }
  return undefined;
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
