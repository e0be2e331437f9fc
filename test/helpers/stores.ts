import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedConfig } from '../../shared/config.js';
import { newId } from '../../shared/ids.js';
import { emptyResult } from '../../shared/model/report.js';
import type { AnalysisRecord } from '../../shared/storage/ports.js';
import { startEmbeddedStores } from '../../shared/storage/embedded.js';
import { ensureBucket, ensureTable } from '../../shared/storage/provision.js';
import { createStores } from '../../shared/storage/wiring.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Real dynalite + s3rver on ephemeral loopback ports, a fresh table and bucket, the real adapters. */
export async function startTestStores() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-test-'));
  const embedded = await startEmbeddedStores({ dataDir });
  const config = embeddedConfig(embedded, { tableName: 'tracelens-test', bucketName: 'tracelens-test' });
  const stores = createStores(config, embedded.credentials);
  await ensureTable(stores.dynamo, config.tableName);
  await ensureBucket(stores.s3, config.bucketName);
  return {
    ...stores,
    embedded,
    config,
    dataDir,
    /** The environment a Lambda entry point reads, pointed at the emulators. */
    env: {
      TABLE_NAME: config.tableName,
      BUCKET_NAME: config.bucketName,
      AWS_REGION: config.region,
      AWS_ACCESS_KEY_ID: embedded.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: embedded.credentials.secretAccessKey,
      TRACELENS_S3_ENDPOINT: embedded.s3Endpoint,
      TRACELENS_DYNAMODB_ENDPOINT: embedded.dynamoEndpoint,

    },
    /** A pending analysis created at `at` (epoch ms; its id sorts by it) with commit `c<at>`. */
    async seedAnalysis(tenant: string, repo: string, branch: string | undefined, at: number, labels: Record<string, string> = {}): Promise<AnalysisRecord> {
      const id = newId(at);
      const record: AnalysisRecord = {
        tenant,
        id,
        repo,
        ...(branch !== undefined ? { branch } : {}),
        commit: `c${at}`,
        labels,
        status: 'pending',
        createdAt: new Date(at).toISOString(),
        attempts: 0,
        archive: { key: `archives/${tenant}/${id}/archive` },
      };
      await stores.analyses.create(record);
      return record;
    },
    /** Takes a pending analysis through start → complete, with an empty result. */
    async completeAnalysis(tenant: string, id: string): Promise<void> {
      await stores.analyses.start(tenant, id, ['pending'], new Date().toISOString());
      await stores.analyses.complete(tenant, id, emptyResult(), new Date().toISOString());
    },
    async stop() {
      stores.s3.destroy();
      stores.dynamo.destroy();
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestStores = Awaited<ReturnType<typeof startTestStores>>;
