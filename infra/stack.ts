import { CfnOutput, Duration, Size, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AnalysisTable } from './constructs/analysis-table.js';
import { ArchiveBucket } from './constructs/archive-bucket.js';
import { ArchiveQueue } from './constructs/archive-queue.js';
import { HttpEndpoint } from './constructs/http-endpoint.js';
import { ServiceFunction } from './constructs/service-function.js';

/** Key prefixes of the bucket (SPEC §8). */
export const ARCHIVES_PREFIX = 'archives/';
export const REPORTS_PREFIX = 'reports/';

/** API Gateway cuts an integration off at 30 s; stop just before, so the function logs its own timeout. */
export const API_TIMEOUT = Duration.seconds(29);
/** Lambda's maximum. */
export const ANALYZER_TIMEOUT = Duration.minutes(15);

export interface TraceLensStackProps extends StackProps {
  /** The repository root: where `package-lock.json` and `functions/` are. */
  readonly projectRoot: string;
}

/**
 * TraceLens: an HTTP API Lambda in front of one bucket and one table, and an analyzer Lambda fed by the
 * bucket's `archives/` ObjectCreated events through SQS. Environment-agnostic: synthesizes offline.
 */
export class TraceLensStack extends Stack {
  constructor(scope: Construct, id: string, props: TraceLensStackProps) {
    super(scope, id, props);
    const { bucket } = new ArchiveBucket(this, 'Archives');
    const { table } = new AnalysisTable(this, 'Data');

    const api = new ServiceFunction(this, 'ApiHandler', {
      projectRoot: props.projectRoot,
      entry: 'functions/api/handler.ts',
      description: 'TraceLens HTTP API',
      memorySize: 512,
      timeout: API_TIMEOUT,
      table,
      bucket: { bucket, read: [ARCHIVES_PREFIX, REPORTS_PREFIX], write: [ARCHIVES_PREFIX, REPORTS_PREFIX] },
    });

    const analyzer = new ServiceFunction(this, 'Analyzer', {
      projectRoot: props.projectRoot,
      entry: 'functions/analyzer/handler.ts',
      description: 'TraceLens analyzer: one uploaded archive in, one report out',
      memorySize: 3008,
      timeout: ANALYZER_TIMEOUT,
      ephemeralStorageSize: Size.gibibytes(10),
      table,
      bucket: { bucket, read: [ARCHIVES_PREFIX, REPORTS_PREFIX], write: [REPORTS_PREFIX] },
    });

    new ArchiveQueue(this, 'ArchiveEvents', {
      bucket,
      prefix: ARCHIVES_PREFIX,
      consumer: analyzer.function,
      consumerTimeout: analyzer.timeout,
    });

    const http = new HttpEndpoint(this, 'Http', { handler: api.function });

    new CfnOutput(this, 'ApiUrl', { value: http.url, description: 'TRACELENS_URL for the CLI' });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'for `tracelens keys`' });
  }
}
