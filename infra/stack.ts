import { CfnOutput, Duration, Size, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AnalysisTable } from './constructs/analysis-table.js';
import { ArchiveBucket } from './constructs/archive-bucket.js';
import { ArchiveQueue } from './constructs/archive-queue.js';
import { HttpEndpoint } from './constructs/http-endpoint.js';
import { ServiceFunction } from './constructs/service-function.js';
import { ARCHIVE_PREFIX, REPORTS_PREFIX } from '../shared/storage/keys.js';

/** API Gateway cuts an integration off at 30 s; stop just before, so the function logs its own timeout. */
export const API_TIMEOUT = Duration.seconds(29);
/** Lambda's maximum. */
export const ANALYZER_TIMEOUT = Duration.minutes(15);

/** The settings, each a stack prop or else CDK context of the same name (`cdk deploy -c retentionDays=90`). */
export const DEFAULTS = {
  /** Days an analysis is kept (`TRACELENS_RETENTION_DAYS` of both functions). */
  retentionDays: 30,
  /** Steady-state requests per second the `$default` stage lets through, all clients together. */
  throttleRateLimit: 50,
  /** Requests the `$default` stage lets through in a burst. */
  throttleBurstLimit: 100,
} as const;

export type Settings = { readonly [K in keyof typeof DEFAULTS]: number };

export interface TraceLensStackProps extends StackProps, Partial<Settings> {
  /** The repository root: where `package-lock.json` and `functions/` are. */
  readonly projectRoot: string;
}

/**
 * TraceLens: an HTTP API Lambda in front of one bucket and one table, and an analyzer Lambda fed by the
 * bucket's `archives/` ObjectCreated events through SQS (and by that queue's DLQ, to mark analyses
 * failed). Environment-agnostic: synthesizes offline.
 */
export class TraceLensStack extends Stack {
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props: TraceLensStackProps) {
    super(scope, id, props);
    this.settings = resolveSettings(this, props);
    const { retentionDays } = this.settings;
    const archives = new ArchiveBucket(this, 'Archives');
    const { bucket } = archives;
    const { table } = new AnalysisTable(this, 'Data');

    const analyzer = new ServiceFunction(this, 'Analyzer', {
      projectRoot: props.projectRoot,
      entry: 'functions/analyzer/handler.ts',
      description: 'TraceLens analyzer: one uploaded archive in, one report out',
      memorySize: 3008,
      timeout: ANALYZER_TIMEOUT,
      ephemeralStorageSize: Size.gibibytes(10),
      table,
      bucket: { bucket, read: [ARCHIVE_PREFIX, REPORTS_PREFIX], write: [REPORTS_PREFIX] },
      retentionDays,
    });

    const events = new ArchiveQueue(this, 'ArchiveEvents', {
      bucket,
      prefix: ARCHIVE_PREFIX,
      consumer: analyzer.function,
      consumerTimeout: analyzer.timeout,
    });

    // Share links are HMAC-signed with this secret: `{"current": ...}`, plus `previous` while rotating
    // (README "Deploying to AWS"). Generated at deploy; never in the template or the environment.
    const shareSecret = new Secret(this, 'ShareLinkSecret', {
      description: 'TraceLens share-link signing secret: {"current": "...", "previous": "..."}',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(shareSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is manual and documented (README "Deploying to AWS"): links are verified against both `current` and ' +
        '`previous`, so an operator moves current to previous, sets a new current, and drops previous once links signed ' +
        'with it have expired (30 days at most); an automatic rotation Lambda would cut live links off.',
    });

    const api = new ServiceFunction(this, 'ApiHandler', {
      projectRoot: props.projectRoot,
      entry: 'functions/api/handler.ts',
      description: 'TraceLens HTTP API',
      memorySize: 512,
      timeout: API_TIMEOUT,
      table,
      bucket: {
        bucket,
        read: [ARCHIVE_PREFIX, REPORTS_PREFIX],
        write: [ARCHIVE_PREFIX, REPORTS_PREFIX],
        // Uploads above 100 MB: the API signs the part URLs and completes the upload (SPEC §5).
        multipart: [ARCHIVE_PREFIX],
      },
      // `POST /v1/analyses/{id}/reanalyze` enqueues the stored archive again.
      sendsTo: events.queue,
      retentionDays,
      readsSecret: shareSecret,
    });

    const http = new HttpEndpoint(this, 'Http', {
      handler: api.function,
      throttle: { rateLimit: this.settings.throttleRateLimit, burstLimit: this.settings.throttleBurstLimit },
    });
    Validations.of(http.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The $default route has no API Gateway authorizer on purpose: the Hono app behind it authenticates ' +
        'every route with the caller\'s API key (Authorization: Bearer, hashed keys per tenant with scopes) ' +
        'except /healthz, /openapi.json, /docs and signed share links, which are public by design (SPEC §5).',
    });

    new CfnOutput(this, 'ApiUrl', { value: http.url, description: 'TRACELENS_URL for the CLI' });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'archives/ and reports/' });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'for `tracelens keys`' });
    new CfnOutput(this, 'DeadLetterQueueName', {
      value: events.deadLetterQueue.queueName,
      description: 'archive events that failed analysis 3 times (the analyzer marks them failed)',
    });
    new CfnOutput(this, 'DeadLetterAlarmName', {
      value: events.deadLetterAlarm.alarmName,
      description: 'in ALARM when an analysis reached the dead-letter queue; attach a notification to it',
    });
    new CfnOutput(this, 'AccessLogBucketName', {
      value: archives.accessLogs.bucketName,
      description: 'S3 server access logs of the archive bucket',
    });
  }
}

/** Each setting from the props, else from CDK context, else its default; a positive integer. */
function resolveSettings(scope: Construct, props: Partial<Settings>): Settings {
  const settings = {} as Record<keyof Settings, number>;
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    const raw: unknown = props[key] ?? scope.node.tryGetContext(key) ?? DEFAULTS[key];
    // Context given on the command line (`-c retentionDays=90`) arrives as a string.
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`${key} must be a positive integer, got ${JSON.stringify(raw)}`);
    }
    settings[key] = value;
  }
  return settings;
}
