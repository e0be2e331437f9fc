import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import type { ProcessDeps } from '../analyzer/process-messages.js';
import { reanalysisMessage } from '../analyzer/queue-messages.js';
import { encodeEventKey } from '../analyzer/queue-messages.js';
import { embeddedConfig, type Config } from '../config.js';
import type { Limits } from '../limits.js';
import type { Logger } from '../logger.js';
import { startEmbeddedStores, type S3NotificationEvent } from '../storage/embedded.js';
import type { AnalysisQueue, ArchiveStore } from '../storage/ports.js';
import type { ApiKeyStore } from '../storage/dynamo-api-key-store.js';
import { ARCHIVE_PREFIX } from '../storage/keys.js';
import { ensureBucket, ensureTable } from '../storage/provision.js';
import { createStores } from '../storage/wiring.js';
import { lockDataDir } from './data-dir-lock.js';
import { LocalQueue } from './local-queue.js';

/**
 * The local service (SPEC §7): embedded S3 and DynamoDB with their data under dataDir, the API on
 * `port`, and the analyzer fed the same SQS-wrapped S3 events the Lambda receives. Everything but the
 * emulators and the in-process queue is the production code path.
 */
export interface LocalServiceOptions {
  dataDir: string;
  /** HTTP port; 0 for an ephemeral one. */
  port: number;
  hostname?: string;
  log: Logger;
  limits?: Limits;
  /** The analyzer's entry point (functions/analyzer/handler.ts createHandler). */
  createAnalyzer: (deps: ProcessDeps & { deadLetterQueueArn?: string }) => (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Queue redelivery delay; tests shorten it. */
  retryDelayMs?: number;
  /** A delivery running longer is presumed dead and redelivered; also the analyzer's lease. Default 15 min. */
  visibilityTimeoutMs?: number;
  /** Deliveries at once (Lambda concurrency). Default 2. */
  concurrency?: number;
  /** Days an analysis is kept unless pinned (TRACELENS_RETENTION_DAYS). Default 30. */
  retentionDays?: number;
  /** Wraps the archive store the analyzer reads through (fault injection in tests). */
  wrapAnalyzerArchives?: (archives: ArchiveStore) => ArchiveStore;
}

export interface LocalService {
  url: string;
  /** The local API key (tenant `local`, every scope), made on first run and kept in the data dir. */
  token: string;
  config: Config;
  stores: ReturnType<typeof createStores>;
  /** Resolves when every queued archive has been analysed (or dead-lettered). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const LOCAL_TABLE = 'tracelens';
export const LOCAL_BUCKET = 'tracelens-local';
export const LOCAL_TENANT = 'local';
const ENDPOINTS_FILE = 'endpoints.json';

/** The running local service's embedded DynamoDB for this data dir, if one runs. */
export function readLocalEndpoints(dataDir: string): { dynamoEndpoint: string; tableName: string } | undefined {
  try {
    const j = JSON.parse(readFileSync(join(dataDir, ENDPOINTS_FILE), 'utf8')) as { pid: number; dynamoEndpoint: string; tableName: string };
    process.kill(j.pid, 0);
    return { dynamoEndpoint: j.dynamoEndpoint, tableName: j.tableName };
  } catch {
    return undefined;
  }
}

export async function startLocalService(o: LocalServiceOptions): Promise<LocalService> {
  const unlock = lockDataDir(o.dataDir);
  let embedded: Awaited<ReturnType<typeof startEmbeddedStores>>;
  try {
    embedded = await startEmbeddedStores({ dataDir: o.dataDir });
  } catch (err) {
    unlock();
    throw err;
  }
  const config = embeddedConfig(embedded, {
    tableName: LOCAL_TABLE,
    bucketName: LOCAL_BUCKET,
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.retentionDays !== undefined ? { retentionDays: o.retentionDays } : {}),
  });
  const stores = createStores(config, embedded.credentials);
  let server: Server | undefined;
  let token = '';
  let queue: LocalQueue | undefined;
  try {
    await ensureTable(stores.dynamo, config.tableName);
    await ensureBucket(stores.s3, config.bucketName);
    token = await localToken(o.dataDir, stores.keys);

    const visibilityTimeoutMs = o.visibilityTimeoutMs ?? 15 * 60 * 1000;
    let deliver: (event: SQSEvent) => Promise<SQSBatchResponse> = async () => ({ batchItemFailures: [] });
    const q = new LocalQueue({
      handler: (event) => deliver(event),
      log: o.log,
      retryDelayMs: o.retryDelayMs ?? 1000,
      visibilityTimeoutMs,
      concurrency: o.concurrency ?? 2,
      region: config.region,
    });
    queue = q;
    deliver = o.createAnalyzer({
      analyses: stores.analyses,
      archives: o.wrapAnalyzerArchives ? o.wrapAnalyzerArchives(stores.archives) : stores.archives,
      idempotency: stores.idempotency,
      limits: config.limits,
      log: o.log,
      // The lease ends before the queue redelivers, so the redelivery can take a dead attempt over.
      leaseMs: Math.max(1, visibilityTimeoutMs - Math.min(1000, visibilityTimeoutMs / 10)),
      deadLetterQueueArn: q.deadLetterQueueArn,
    });
    const analysisQueue: AnalysisQueue = {
      enqueueReanalysis: async (job) => q.send(reanalysisMessage(job)),
    };
    // The bucket notification of the CDK stack: ObjectCreated under archives/ → the queue.
    embedded.onS3Event((event: S3NotificationEvent) => {
      const records = event.Records.filter(
        (r) => r.eventName.startsWith('ObjectCreated:') && r.s3.object.key.startsWith(ARCHIVE_PREFIX),
      ).map((r) => ({
        ...r,
        awsRegion: config.region,
        s3: { ...r.s3, object: { ...r.s3.object, key: encodeEventKey(r.s3.object.key) } },
      }));
      if (records.length > 0) q.send(JSON.stringify({ Records: records }));
    });

    // After a restart, analyses that were queued or mid-run when the service stopped run again
    // (uploads still on their way are left to their ObjectCreated event).
    for (const u of await stores.analyses.scanUnfinished()) {
      if (!(await stores.archives.hasArchive(u.archiveKey))) continue;
      // Its attempt died with the previous process (we hold the data-dir lock): free the lease at once
      // rather than wait it out — nothing else would deliver it again (on AWS, SQS does).
      await stores.analyses.expireLease(u.tenant, u.id);
      o.log.info('resuming unfinished analysis', { id: u.id });
      q.send(JSON.stringify(syntheticCreatedEvent(config, u.archiveKey)));
    }

    const app = createApp({
      analyses: stores.analyses,
      archives: stores.archives,
      reportBodies: stores.archives,
      uploads: stores.uploads,
      repos: stores.repos,
      queue: analysisQueue,
      limits: config.limits,
      retentionDays: config.retentionDays,
      keys: stores.keys,
      requestKeys: stores.requestKeys,
      shareSecrets: [localSecret(o.dataDir)],
      log: o.log,
    });
    server = await new Promise<Server>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: o.port, hostname: o.hostname ?? '127.0.0.1', createServer }, () =>
        resolve(s as Server),
      ) as Server;
      s.once('error', reject);
    });
  } catch (err) {
    await queue?.close();
    await embedded.stop();
    unlock();
    throw err;
  }
  const address = server.address() as AddressInfo;
  // Where operators' tools (`tracelens keys`) find this service's embedded table while it runs.
  writeFileSync(
    join(o.dataDir, ENDPOINTS_FILE),
    JSON.stringify({ pid: process.pid, dynamoEndpoint: embedded.dynamoEndpoint, tableName: config.tableName }) + '\n',
  );
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const httpServer = server;
  const q = queue;
  return {
    url: `http://${host}:${address.port}`,
    token,
    config,
    stores,
    idle: () => q.idle(),
    async stop() {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections?.();
      });
      await q.close();
      rmSync(join(o.dataDir, ENDPOINTS_FILE), { force: true });
      stores.s3.destroy();
      stores.dynamo.destroy();
      await embedded.stop();
      unlock();
    },
  };
}

function syntheticCreatedEvent(config: Config, key: string): S3NotificationEvent {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: config.region,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: config.bucketName, arn: `arn:aws:s3:::${config.bucketName}` }, object: { key: encodeEventKey(key) } },
      },
    ],
  };
}

/**
 * The local API key: created on first run (tenant `local`, scope admin) and its text kept in
 * `<dataDir>/local-token` (mode 0600) so every start can print it; a key revoked since is replaced.
 */
async function localToken(dataDir: string, keys: ApiKeyStore): Promise<string> {
  const path = join(dataDir, 'local-token');
  if (existsSync(path)) {
    const saved = readFileSync(path, 'utf8').trim();
    if (await keys.verify(saved)) return saved;
  }
  const { key } = await keys.create(LOCAL_TENANT, ['admin'], 'npm start', new Date().toISOString());
  writeFileSync(path, key + '\n', { mode: 0o600 });
  return key;
}

/** The local share-link secret: random, made once, kept in `<dataDir>/share-secret` (mode 0600). */
function localSecret(dataDir: string): string {
  const path = join(dataDir, 'share-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, secret + '\n', { mode: 0o600 });
  return secret;
}
