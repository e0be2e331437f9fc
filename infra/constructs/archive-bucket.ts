import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** How long S3 server access logs of the archive bucket are kept. */
export const ACCESS_LOG_DAYS = 365;

/**
 * The one bucket (SPEC §8): `archives/{tenant}/{analysisId}/archive` and `reports/{tenant}/{analysisId}.json`.
 * Private, TLS only, S3-managed encryption. Retained with the stack's deletion: uploaded archives are
 * customer data, so there is deliberately no `autoDeleteObjects`.
 *
 * Its S3 server access logs (who put or got which archive or report, including through presigned URLs)
 * go to a second private bucket, kept for `ACCESS_LOG_DAYS` and also retained.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Server access logging delivers only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: false,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'archives-bucket/',
      // Abandoned multipart uploads (`POST /v1/uploads` above 100 MB) otherwise keep billing their parts.
      lifecycleRules: [{ id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
