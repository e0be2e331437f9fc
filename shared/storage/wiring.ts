import type { Config } from '../config.js';
import type { ClientOptions } from './clients.js';
import { createDynamoClient, createS3Client, documentClient } from './clients.js';
import { DynamoAnalysisStore } from './dynamo-analysis-store.js';
import { S3Store } from './s3-store.js';

/** Builds the SDK clients and the adapters over them from configuration: the one composition root. */
export function createStores(config: Config, credentials?: ClientOptions['credentials']) {
  const s3 = createS3Client({
    region: config.region,
    ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const dynamo = createDynamoClient({
    region: config.region,
    ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const db = documentClient(dynamo);
  const archives = new S3Store(s3, config.bucketName);
  const analyses = new DynamoAnalysisStore(db, config.tableName, archives);
  return { s3, dynamo, db, archives, analyses };
}
