import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The one bucket (SPEC §8): `archives/{tenant}/{analysisId}/archive` and `reports/{tenant}/{analysisId}.json`.
 * Private, TLS only, S3-managed encryption. Retained with the stack's deletion: uploaded archives are
 * customer data, so there is deliberately no `autoDeleteObjects`.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: false,
      // Abandoned multipart uploads (`POST /v1/uploads` above 100 MB) otherwise keep billing their parts.
      lifecycleRules: [{ id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
