import { join } from 'node:path';
import type { Duration, Size } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The environment variables the functions read at cold start; each is set where its grant is made. */
export const ENV = { table: 'TABLE_NAME', bucket: 'BUCKET_NAME' } as const;

export interface BucketAccess {
  readonly bucket: IBucket;
  /** Key prefixes (ending in `/`) whose objects the function may get. */
  readonly read: readonly string[];
  /** Key prefixes (ending in `/`) whose objects the function may put, including multipart uploads. */
  readonly write: readonly string[];
}

export interface ServiceFunctionProps {
  /** The repository root: holds `package-lock.json`, and `entry` is relative to it. */
  readonly projectRoot: string;
  /** The handler module, relative to `projectRoot`; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** `/tmp` size; Lambda's default (512 MiB) when unset. */
  readonly ephemeralStorageSize?: Size;
  /** Read/write item access to the table and its indexes. */
  readonly table: ITable;
  readonly bucket: BucketAccess;
}

/**
 * A TraceLens Lambda: the defaults every function shares (Node.js 22 on arm64, ESM bundle built by the
 * local esbuild with source maps, one month of logs) and its grants, each paired with the environment
 * variable that names the resource it grants — so a function can never get a name without the access,
 * or the access without the name.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout;
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      entry: join(props.projectRoot, props.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        // CommonJS dependencies bundled into ESM still call `require` for node builtins.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK versions from package-lock.json (the ones the emulator tests ran against) rather
        // than whatever the runtime happens to carry.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
    this.useTable(props.table);
    this.useBucket(props.bucket);
  }

  private useTable(table: ITable): void {
    table.grantReadWriteData(this.function);
    this.function.addEnvironment(ENV.table, table.tableName);
  }

  private useBucket({ bucket, read, write }: BucketAccess): void {
    for (const prefix of [...read, ...write]) {
      if (!prefix.endsWith('/')) throw new Error(`bucket prefix ${JSON.stringify(prefix)} must end in "/"`);
    }
    const objects = (prefixes: readonly string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
    if (read.length > 0) {
      Grant.addToPrincipal({ grantee: this.function, actions: ['s3:GetObject'], resourceArns: objects(read) });
      // Without ListBucket, S3 answers a GET/HEAD of a missing key with 403 AccessDenied instead of
      // 404 NoSuchKey (the emulator always says 404). Listing reveals keys, never contents.
      Grant.addToPrincipal({ grantee: this.function, actions: ['s3:ListBucket'], resourceArns: [bucket.bucketArn] });
    }
    if (write.length > 0) {
      // PutObject also covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload (and the
      // presigned PUT/POST/part URLs the API signs with this role).
      Grant.addToPrincipal({
        grantee: this.function,
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resourceArns: objects(write),
      });
    }
    this.function.addEnvironment(ENV.bucket, bucket.bucketName);
  }
}
