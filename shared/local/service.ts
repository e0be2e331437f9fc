import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import type { AnalyzerDeps } from '../analyzer/run-analysis.js';
import { encodeEventKey } from '../analyzer/queue-messages.js';
import type { Config } from '../config.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import type { Logger } from '../logger.js';
import { startEmbeddedStores, type S3NotificationEvent } from '../storage/embedded.js';
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
  createAnalyzer: (deps: AnalyzerDeps) => (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Queue redelivery delay; tests shorten it. */
  retryDelayMs?: number;
}

export interface LocalService {
  url: string;
  config: Config;
  stores: ReturnType<typeof createStores>;
  /** Resolves when every queued archive has been analysed (or dead-lettered). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const LOCAL_TABLE = 'tracelens';
export const LOCAL_BUCKET = 'tracelens-local';
export const LOCAL_TENANT = 'local';

export async function startLocalService(o: LocalServiceOptions): Promise<LocalService> {
  const unlock = lockDataDir(o.dataDir);
  let embedded: Awaited<ReturnType<typeof startEmbeddedStores>>;
  try {
    embedded = await startEmbeddedStores({ dataDir: o.dataDir });
  } catch (err) {
    unlock();
    throw err;
  }
  const config: Config = {
    tableName: LOCAL_TABLE,
    bucketName: LOCAL_BUCKET,
    region: 'us-east-1',
    s3Endpoint: embedded.s3Endpoint,
    dynamoEndpoint: embedded.dynamoEndpoint,
    defaultTenant: LOCAL_TENANT,
    limits: o.limits ?? { ...DEFAULT_LIMITS },
  };
  const stores = createStores(config, embedded.credentials);
  let server: Server | undefined;
  let queue: LocalQueue | undefined;
  try {
    await ensureTable(stores.dynamo, config.tableName);
    await ensureBucket(stores.s3, config.bucketName);

    const analyzer = o.createAnalyzer({
      analyses: stores.analyses,
      archives: stores.archives,
      limits: config.limits,
      log: o.log,
    });
    const q = new LocalQueue({ handler: analyzer, log: o.log, retryDelayMs: o.retryDelayMs ?? 1000, region: config.region });
    queue = q;
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

    // After a restart, analyses that were queued or mid-run when the service stopped run again.
    for (const u of await stores.analyses.scanUnfinished()) {
      o.log.info('resuming unfinished analysis', { id: u.id });
      q.send(JSON.stringify(syntheticCreatedEvent(config, u.archiveKey)));
    }

    const app = createApp({
      analyses: stores.analyses,
      archives: stores.archives,
      reportBodies: stores.archives,
      log: o.log,
      defaultTenant: LOCAL_TENANT,
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
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const httpServer = server;
  const q = queue;
  return {
    url: `http://${host}:${address.port}`,
    config,
    stores,
    idle: () => q.idle(),
    async stop() {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections?.();
      });
      await q.close();
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
