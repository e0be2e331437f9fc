import type { Logger } from '../logger.js';
import { parseArchiveKey } from '../storage/keys.js';
import type { IdempotencyKey, IdempotencyStore } from '../storage/ports.js';
import { jobsOf, type Job, type QueueMessage } from './queue-messages.js';
import { runAnalysis, type AnalyzerDeps } from './run-analysis.js';

export interface ProcessDeps extends AnalyzerDeps {
  log: Logger;
  idempotency: IdempotencyStore;
}

/** Default lease of one attempt: the analyzer's 15 min Lambda timeout plus a minute. */
export const DEFAULT_LEASE_MS = 16 * 60 * 1000;

/**
 * One batch of queue messages → the ids of the messages to redeliver (SQS partial batch failure).
 *
 * Each job is claimed first (IdempotencyStore, keyed by bucket, key, ETag and generation): of duplicate
 * deliveries of one S3 event — S3 and SQS deliver at least once — exactly one runs the analysis; the
 * others are acknowledged as duplicates (`done`) or left to the delivery holding the claim (`held`; if
 * that one dies, its own message comes back after the visibility timeout and takes over the expired
 * lease). A failed attempt gives its claim back and its message is redelivered. Messages that can never
 * succeed (not JSON, not an archive key) are logged and dropped, not retried.
 */
export async function processMessages(messages: QueueMessage[], deps: ProcessDeps): Promise<string[]> {
  const failed: string[] = [];
  for (const message of messages) {
    try {
      for (const job of jobsOf(message)) await processJob(job, deps);
    } catch (err) {
      if (err instanceof Error && err.name === 'InvalidMessageError') {
        deps.log.error('invalid queue message dropped', { messageId: message.messageId, error: err.message });
        continue;
      }
      deps.log.error('message will be retried', { messageId: message.messageId, error: describe(err) });
      failed.push(message.messageId);
    }
  }
  return failed;
}

async function processJob(job: Job, deps: ProcessDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  let target: { tenant: string; id: string } | undefined;
  let idem: IdempotencyKey;
  if (job.kind === 'object') {
    target = parseArchiveKey(job.key);
    if (!target) {
      deps.log.warn('object is not an archive; ignored', { key: job.key });
      return;
    }
    const record = await deps.analyses.get(target.tenant, target.id, false);
    if (!record) {
      deps.log.warn('archive has no analysis record; ignored', { key: job.key });
      return;
    }
    idem = { bucket: job.bucket, key: job.key, etag: job.etag ?? 'no-etag', generation: record.generation ?? 0 };
  } else {
    target = { tenant: job.tenant, id: job.id };
    const record = await deps.analyses.get(job.tenant, job.id, false);
    if (!record || (record.generation ?? 0) !== job.generation) {
      deps.log.info('re-analysis superseded or gone; ignored', { ...target, generation: job.generation });
      return;
    }
    idem = { bucket: 'reanalyze', key: record.archive.key, etag: 'reanalyze', generation: job.generation };
  }

  const claim = await deps.idempotency.claim(idem, target, now().getTime(), leaseMs);
  if (claim !== 'claimed') {
    deps.log.info(claim === 'done' ? 'duplicate delivery of an analysed archive; ignored' : 'another delivery is analysing this archive', {
      ...target,
      generation: idem.generation,
    });
    return;
  }
  try {
    await runAnalysis({ ...deps, leaseMs }, target.tenant, target.id);
  } catch (err) {
    await deps.idempotency.release(idem).catch((e) => deps.log.warn('claim not released', { error: describe(e) }));
    throw err;
  }
  await deps.idempotency.done(idem);
}

/**
 * Messages the queue gave up on (the DLQ): their analyses end `failed` with the reason — unless one of
 * the attempts completed after all. The archive stays; POST /v1/analyses/{id}/reanalyze runs it again.
 */
export async function processDeadLetters(messages: QueueMessage[], deps: ProcessDeps): Promise<string[]> {
  const failed: string[] = [];
  const now = deps.now ?? (() => new Date());
  for (const message of messages) {
    try {
      for (const job of jobsOf(message)) {
        const target = job.kind === 'object' ? parseArchiveKey(job.key) : { tenant: job.tenant, id: job.id };
        if (!target) continue;
        const record = await deps.analyses.get(target.tenant, target.id, false);
        if (!record || record.status === 'complete' || record.status === 'failed') continue;
        const reason =
          `the analyzer did not finish this archive after ${record.attempts} attempt${record.attempts === 1 ? '' : 's'} ` +
          `(each timed out or crashed${record.startedAt ? `; the last started at ${record.startedAt}` : ''}); ` +
          `the archive is kept: POST /v1/analyses/${target.id}/reanalyze runs it again`;
        await deps.analyses.fail(target.tenant, target.id, reason, now().toISOString(), undefined, { unlessComplete: true }).catch((err) => {
          if (!(err instanceof Error && err.name === 'TraceLensError')) throw err;
        });
        deps.log.error('analysis dead-lettered', { ...target, reason });
      }
    } catch (err) {
      if (err instanceof Error && err.name === 'InvalidMessageError') continue;
      deps.log.error('dead letter will be retried', { messageId: message.messageId, error: describe(err) });
      failed.push(message.messageId);
    }
  }
  return failed;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
