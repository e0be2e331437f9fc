import type { Config } from '../config.js';
import type { ClientOptions } from './clients.js';
import { createDynamoClient, createS3Client, documentClient } from './clients.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoAnalysisStore } from './dynamo-analysis-store.js';
import { DynamoIdempotencyStore } from './dynamo-idempotency-store.js';
import { DynamoRequestKeyStore } from './dynamo-request-key-store.js';
import { DynamoRepoStore } from './repo-store.js';
import { DynamoApiKeyStore } from './dynamo-api-key-store.js';
import { S3UploadSigner } from './s3-upload-signer.js';
import { SqsAnalysisQueue } from './sqs-analysis-queue.js';
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
  const idempotency = new DynamoIdempotencyStore(db, config.tableName);
  const uploads = new S3UploadSigner(s3, config.bucketName);
  const repos = new DynamoRepoStore(db, config.tableName);
  const keys = new DynamoApiKeyStore(db, config.tableName);
  const requestKeys = new DynamoRequestKeyStore(db, config.tableName);
  // On AWS re-analyses go through SQS; the local service supplies its in-process queue instead.
  const queue = config.queueUrl ? new SqsAnalysisQueue(new SQSClient({ region: config.region }), config.queueUrl) : undefined;
  return { s3, dynamo, db, archives, analyses, idempotency, uploads, repos, keys, requestKeys, queue };
}
