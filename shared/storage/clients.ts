import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients, built once and injected into the adapters. On AWS no endpoint is set; against the
 * embedded emulators the endpoint is set, S3 uses path-style URLs, and both take dummy credentials.
 */
export interface ClientOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createS3Client(o: ClientOptions): S3Client {
  return new S3Client({
    region: o.region,
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
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
