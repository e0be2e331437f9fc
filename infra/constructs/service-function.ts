import { join } from 'node:path';
import { type CfnElement, type Duration, type Size, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';

/** The environment variables the functions read at cold start; each is set where its grant is made. */
export const ENV = {
  table: 'TABLE_NAME',
  bucket: 'BUCKET_NAME',
  queue: 'QUEUE_URL',
  deadLetterQueue: 'DEAD_LETTER_QUEUE_ARN',
  retentionDays: 'TRACELENS_RETENTION_DAYS',
  shareSecret: 'SHARE_SECRET_ARN',
} as const;

/** The runtime and the esbuild target that goes with it. */
export const RUNTIME = Runtime.NODEJS_22_X;
const ESBUILD_TARGET = 'node22';

export interface BucketAccess {
  readonly bucket: IBucket;
  /** Key prefixes (ending in `/`) whose objects the function may get. */
  readonly read: readonly string[];
  /** Key prefixes (ending in `/`) whose objects the function may put, including multipart uploads. */
  readonly write: readonly string[];
  /**
   * Key prefixes (ending in `/`, each also in `write`) under which the function runs multipart uploads
   * for a client (signs the part URLs, then lists the parts when the client completes the upload).
   */
  readonly multipart?: readonly string[];
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
  /** A queue the function sends messages to (`sqs:SendMessage` only). */
  readonly sendsTo?: IQueue;
  /** How long analyses are kept (`TRACELENS_RETENTION_DAYS`). */
  readonly retentionDays: number;
  /** A secret the function reads at cold start (`secretsmanager:GetSecretValue` on it only). */
  readonly readsSecret?: ISecret;
}

/**
 * A TraceLens Lambda: the defaults every function shares (Node.js 22 on arm64, ESM bundle built by the
 * local esbuild with source maps, one month of logs) and its grants, each paired with the environment
 * variable that names the resource it grants — so a function can never get a name without the access,
 * or the access without the name.
 *
 * The execution role is the function's own, with no managed policy: it may write to its own log group
 * and do what the grants below say, nothing else.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout;
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of: ${props.description}`,
    });
    // Instead of AWSLambdaBasicExecutionRole (CreateLogGroup/CreateLogStream/PutLogEvents on every log
    // group): the function writes to its own group only.
    logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      entry: join(props.projectRoot, props.entry),
      handler: 'handler',
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      role: this.role,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.retentionDays]: String(props.retentionDays),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
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
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime TraceLens targets and tests (esbuild target node22, the same major as ' +
        'the Lambda runtime its bundle was checked against); moving to a newer runtime is a deliberate ' +
        'change, not a side effect of a CDK upgrade.',
    });
    this.useTable(props.table);
    this.useBucket(props.bucket);
    if (props.sendsTo) this.useQueue(props.sendsTo);
    if (props.readsSecret) {
      props.readsSecret.grantRead(this.function);
      this.function.addEnvironment(ENV.shareSecret, props.readsSecret.secretArn);
    }
  }

  /** The execution role's inline policy, where every grant lands. */
  private get policy(): IConstruct {
    return this.role.node.findChild('DefaultPolicy');
  }

  /** Acknowledges one wildcard finding of cdk-nag's IAM5 on this role's policy, with its reason. */
  private acknowledgeWildcard(resource: IConstruct, suffix: string, reason: string): void {
    const logicalId = Stack.of(this).getLogicalId(resource.node.defaultChild as CfnElement);
    Validations.of(this.policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>${suffix}]`,
      reason,
    });
  }

  private useTable(table: ITable): void {
    table.grantReadWriteData(this.function);
    this.function.addEnvironment(ENV.table, table.tableName);
    this.acknowledgeWildcard(
      table,
      '/index/*',
      'Queries the per-repo (GSI1) and per-branch (GSI2) indexes of its own table; the wildcard covers ' +
        "only that table's indexes, which hold the same items as the table.",
    );
  }

  private useBucket({ bucket, read, write, multipart = [] }: BucketAccess): void {
    for (const prefix of [...read, ...write, ...multipart]) {
      if (!prefix.endsWith('/')) throw new Error(`bucket prefix ${JSON.stringify(prefix)} must end in "/"`);
    }
    for (const prefix of multipart) {
      if (!write.includes(prefix)) throw new Error(`multipart prefix ${JSON.stringify(prefix)} must also be written`);
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
    if (multipart.length > 0) {
      Grant.addToPrincipal({
        grantee: this.function,
        actions: ['s3:ListMultipartUploadParts'],
        resourceArns: objects(multipart),
      });
    }
    for (const prefix of new Set([...read, ...write])) {
      this.acknowledgeWildcard(
        bucket,
        `/${prefix}*`,
        `Object keys under ${prefix} are per tenant and per analysis ` +
          `(${prefix}{tenant}/{analysisId}/...), created at run time: the grant is scoped to that prefix ` +
          'of this one bucket and to the object actions listed with it (no delete).',
      );
    }
    this.function.addEnvironment(ENV.bucket, bucket.bucketName);
  }

  private useQueue(queue: IQueue): void {
    // Not `grantSendMessages` (it adds GetQueueAttributes and GetQueueUrl): the URL comes from the
    // environment, and sending is all the function does with the queue.
    Grant.addToPrincipal({ grantee: this.function, actions: ['sqs:SendMessage'], resourceArns: [queue.queueArn] });
    this.function.addEnvironment(ENV.queue, queue.queueUrl);
  }
}
