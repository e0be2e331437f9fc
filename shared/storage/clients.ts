import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients, built once and injected into the adapters. On AWS no endpoint is set; against the
 * embedded emulators the endpoint is set, S3 uses path-style URLs, and both take dummy credentials.
 *
 * Retries (docs/reliability.md): the SDK's `standard` mode retries throttling (ThrottlingException,
 * ProvisionedThroughputExceededException, SlowDown, 429), 5xx and network errors (ECONNRESET, EPIPE,
 * ETIMEDOUT) with exponential backoff and full jitter — a 50 ms base for transient errors, 1 s for
 * throttling, doubling, capped at 20 s — drawing on a per-client retry quota (500 tokens; a retry costs
 * 14, 5 for throttling, refunded when it succeeds) so that an outage is not amplified. Five attempts
 * (the SDK default is three): four retries ride out a burst of throttling, and their worst case
 * (1+2+4+8 s for four throttles in a row, under 1 s for four 5xx) fits inside the API's 29 s gateway
 * timeout and is nothing to the analyzer's 15 min. Not `adaptive`: its client-side rate limiter would
 * slow every request sharing a warm Lambda's client after a single throttle.
 */
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_MODE = 'standard';

export interface ClientOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per call, the first included. Default DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** `standard` (default) or `adaptive`. */
  retryMode?: 'standard' | 'adaptive';
}

function retryOptions(o: ClientOptions) {
  return { maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, retryMode: o.retryMode ?? DEFAULT_RETRY_MODE };
}

export function createS3Client(o: ClientOptions): S3Client {
  return new S3Client({
    region: o.region,
    ...retryOptions(o),
    // Checksums only where S3 requires them: the emulator (and presigned URLs) do not speak the
    // flexible-checksum trailers that newer SDKs send by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(o.endpoint ? { endpoint: o.endpoint, forcePathStyle: true } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
}

export function createDynamoClient(o: ClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    region: o.region,
    ...retryOptions(o),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
