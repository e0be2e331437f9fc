import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

/**
 * The embedded emulators the local service and the integration tests run the real AWS SDK code
 * against: dynalite (DynamoDB API, LevelDB on disk) and s3rver (S3 API, files on disk), in-process on
 * loopback. Their gaps (no TTL or transactions; no signature or POST-policy checks; events only
 * in-process) are why our own code enforces limits too.
 */
export interface EmbeddedStores {
  s3Endpoint: string;
  dynamoEndpoint: string;
  /** Dummy credentials both emulators accept. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Subscribes to the S3 events s3rver emits (the S3 notification shape, before SQS wraps it). */
  onS3Event(listener: (event: S3NotificationEvent) => void): void;
  stop(): Promise<void>;
}

/** The S3 event notification body (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html). */
export interface S3NotificationEvent {
  Records: Array<{
    eventVersion: string;
    eventSource: string;
    awsRegion: string;
    eventTime: string;
    eventName: string;
    s3: { bucket: { name: string; arn?: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
    [k: string]: unknown;
  }>;
}

export interface EmbeddedOptions {
  /** Data directory; `dynamodb/` and `s3/` live under it. Omit for in-memory DynamoDB and a temp S3 dir. */
  dataDir: string;
  /** Fixed ports, or 0 (the default) for ephemeral ones. */
  s3Port?: number;
  dynamoPort?: number;
  /**
   * How long dynalite keeps a table CREATING or DELETING (0, the default: a timer tick). Tests set it
   * higher to act like AWS, where those states last seconds.
   */
  tableTransitionMs?: number;
}

export async function startEmbeddedStores(o: EmbeddedOptions): Promise<EmbeddedStores> {
  const s3Dir = join(o.dataDir, 's3');
  const dynamoDir = join(o.dataDir, 'dynamodb');
  mkdirSync(s3Dir, { recursive: true });
  mkdirSync(dynamoDir, { recursive: true });

  const ms = o.tableTransitionMs ?? 0;
  const dyn = dynalite({ path: dynamoDir, createTableMs: ms, deleteTableMs: ms, updateTableMs: ms });
  await new Promise<void>((resolve, reject) => {
    dyn.once('error', reject);
    dyn.listen(o.dynamoPort ?? 0, '127.0.0.1', () => resolve());
  });
  const dynamoPort = (dyn.address() as AddressInfo).port;

  const s3 = new S3rver({ port: o.s3Port ?? 0, address: '127.0.0.1', silent: true, directory: s3Dir });
  let s3Port: number;
  try {
    s3Port = (await s3.run()).port;
  } catch (err) {
    await new Promise((r) => dyn.close(r));
    throw err;
  }

  let stopped = false;
  return {
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    onS3Event(listener) {
      s3.on('event', listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await s3.close();
      await new Promise((r) => dyn.close(r));
    },
  };
}
