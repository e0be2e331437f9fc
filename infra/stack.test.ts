// The synthesized template of the TraceLens stack. The handlers under functions/ are someone else's and
// bundling is skipped here (`aws:cdk:bundling-stacks: []`, NodejsFunction then stages a placeholder), so
// the stack is built against a throwaway project root holding stub entries: the template does not depend
// on what the handlers contain. `npm run synth` bundles the real ones.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { App, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServiceFunction } from './constructs/service-function.js';
import { TraceLensStack, type TraceLensStackProps } from './stack.js';
import { ARCHIVE_PREFIX, BRANCH_INDEX, REPO_INDEX, TTL_ATTRIBUTE } from '../shared/storage/keys.js';

type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties?: Json; DeletionPolicy?: string }>;

const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context: Json };
const HANDLER_STUB = 'export const handler = async () => ({ ok: true });\n';

let root: string;
let stack: TraceLensStack;
let template: Template;

function stubProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracelens-infra-'));
  writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {}}\n');
  // NodejsFunction runs `npx --no-install esbuild` in the project root: lend it the repository's.
  symlinkSync(fileURLToPath(new URL('../node_modules', import.meta.url)), join(dir, 'node_modules'), 'dir');
  for (const fn of ['api', 'analyzer']) {
    mkdirSync(join(dir, 'functions', fn), { recursive: true });
    writeFileSync(join(dir, 'functions', fn, 'handler.ts'), HANDLER_STUB);
  }
  return dir;
}

/** The app as `cdk synth` builds it: the feature flags from cdk.json, plus any extra context and props. */
function synth(
  extraContext: Json,
  outdir?: string,
  props: Partial<TraceLensStackProps> = {},
): { stack: TraceLensStack; app: App } {
  const app = new App({ context: { ...cdkJson.context, ...extraContext }, ...(outdir ? { outdir } : {}) });
  return { stack: new TraceLensStack(app, 'TraceLens', { projectRoot: root, ...props }), app };
}

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

const resources = (type: string): [string, Json][] =>
  Object.entries(template.findResources(type) as Resources).map(([id, r]) => [id, r.Properties ?? {}]);

/** The two service functions (the bucket-notification helper the CDK adds is Python). */
function serviceFunction(description: RegExp): [string, Json] {
  const fns = resources('AWS::Lambda::Function').filter(([, p]) => description.test(String(p.Description)));
  assert.equal(fns.length, 1, `one function described ${description}`);
  return fns[0]!;
}

/** Every IAM statement attached to a function's execution role. */
function statementsOf(fn: Json): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const role = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => (p.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => (p.PolicyDocument as { Statement: never[] }).Statement);
}

const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The object-key patterns (`archives/*`, ...) a function may use `action` on. */
function keyPatterns(fn: Json, action: string): string[] {
  return statementsOf(fn)
    .filter((s) => s.Effect === 'Allow' && actions(s).includes(action))
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
    .map((r) => JSON.stringify(r).match(/"\/([^"]*)"\]\]\}$/)?.[1] ?? JSON.stringify(r))
    .sort();
}

before(() => {
  root = stubProject();
  ({ stack } = synth(NO_BUNDLING));
  template = Template.fromStack(stack);
});

after(() => rmSync(root, { recursive: true, force: true }));

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = resources(type)
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  assert.equal(ids.length, 1, `one ${type} named ${prefix}*`);
  return ids[0]!;
}

const queueId = () => logicalId('AWS::SQS::Queue', 'ArchiveEventsQueue');
const deadLetterQueueId = () => logicalId('AWS::SQS::Queue', 'ArchiveEventsDeadLetterQueue');
const envOf = (fn: Json) => (fn.Environment as { Variables: Json }).Variables;

describe('stack', () => {
  test('is environment-agnostic', () => {
    assert.ok(Token.isUnresolved(stack.account), 'account is left to deploy time');
    assert.ok(Token.isUnresolved(stack.region), 'region is left to deploy time');
  });

  test('outputs the API URL, the bucket and table names, and the dead-letter queue and alarm names', () => {
    template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HttpApi'), 'ApiEndpoint'] } });
    template.hasOutput('BucketName', { Value: { Ref: Match.stringLikeRegexp('^ArchivesBucket') } });
    template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('^DataTable') } });
    template.hasOutput('DeadLetterQueueName', { Value: { 'Fn::GetAtt': [deadLetterQueueId(), 'QueueName'] } });
    template.hasOutput('DeadLetterAlarmName', { Value: { Ref: logicalId('AWS::CloudWatch::Alarm', 'ArchiveEvents') } });
    template.hasOutput('AccessLogBucketName', { Value: { Ref: Match.stringLikeRegexp('^ArchivesAccessLogs') } });
  });
});

describe('settings', () => {
  const settingsOf = (context: Json, props: Partial<TraceLensStackProps> = {}) => {
    const t = Template.fromStack(synth({ ...NO_BUNDLING, ...context }, undefined, props).stack);
    const fns = Object.values(t.findResources('AWS::Lambda::Function') as Resources)
      .map((r) => r.Properties ?? {})
      .filter((p) => p.Runtime === 'nodejs22.x');
    const [stage] = Object.values(t.findResources('AWS::ApiGatewayV2::Stage') as Resources);
    return {
      retention: fns.map((fn) => envOf(fn).TRACELENS_RETENTION_DAYS),
      throttle: stage!.Properties!.DefaultRouteSettings,
    };
  };

  test('default: 30 days of retention, 50 requests/s with bursts of 100', () => {
    assert.deepEqual(settingsOf({}), {
      retention: ['30', '30'],
      throttle: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  test('CDK context sets them (as `cdk deploy -c retentionDays=90` passes strings)', () => {
    assert.deepEqual(settingsOf({ retentionDays: '90', throttleRateLimit: '10', throttleBurstLimit: 20 }), {
      retention: ['90', '90'],
      throttle: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
  });

  test('stack props win over context', () => {
    assert.deepEqual(settingsOf({ retentionDays: '90' }, { retentionDays: 7, throttleRateLimit: 5, throttleBurstLimit: 5 }), {
      retention: ['7', '7'],
      throttle: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 5 },
    });
  });

  test('refuse anything but a positive integer', () => {
    for (const bad of ['0', '-1', '1.5', 'thirty', '']) {
      assert.throws(() => settingsOf({ retentionDays: bad }), /retentionDays must be a positive integer/, bad);
    }
    assert.throws(() => settingsOf({ throttleRateLimit: 'x' }), /throttleRateLimit must be a positive integer/);
  });
});

describe('bucket', () => {
  const archiveBucket = () => logicalId('AWS::S3::Bucket', 'ArchivesBucket');
  const accessLogBucket = () => logicalId('AWS::S3::Bucket', 'ArchivesAccessLogs');

  test('is private, encrypted, retained and never auto-emptied (and so is its access-log bucket)', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    for (const id of [archiveBucket(), accessLogBucket()]) {
      const bucket = template.toJSON().Resources[id];
      assert.equal(bucket.DeletionPolicy, 'Retain', id);
      assert.equal(bucket.UpdateReplacePolicy, 'Retain', id);
      assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      assert.deepEqual(bucket.Properties.BucketEncryption, {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('logs server access to the access-log bucket, which expires logs after a year', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: accessLogBucket() }, LogFilePrefix: 'archives-bucket/' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 365 })] },
    });
  });

  test('aborts incomplete multipart uploads after one day', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
  });

  test('both buckets deny every request that is not over TLS', () => {
    for (const id of [archiveBucket(), accessLogBucket()]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('announces objects created under archives/ to the queue, and nothing else', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: ARCHIVE_PREFIX }] } },
            QueueArn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
          },
        ],
      },
    });
  });
});

describe('table', () => {
  test('has the single-table keys, on demand, retained, with deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
          { AttributeName: 'GSI1PK', AttributeType: 'S' },
          { AttributeName: 'GSI1SK', AttributeType: 'S' },
          { AttributeName: 'GSI2PK', AttributeType: 'S' },
          { AttributeName: 'GSI2SK', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
      }),
    });
  });

  test('has the per-repo index GSI1 and the per-repo-and-branch index GSI2, each projecting everything', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: REPO_INDEX,
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: BRANCH_INDEX,
          KeySchema: [
            { AttributeName: 'GSI2PK', KeyType: 'HASH' },
            { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('has point-in-time recovery and expires items on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });
});

describe('archive queue', () => {
  test('moves a message to an encrypted DLQ after three receives', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueId(), 'Arn'] }, maxReceiveCount: 3 },
    });
    for (const [, queue] of resources('AWS::SQS::Queue')) assert.equal(queue.SqsManagedSseEnabled, true);
    assert.equal(template.toJSON().Resources[deadLetterQueueId()].Properties.RedrivePolicy, undefined);
  });

  test('keeps a message invisible for at least six analyzer timeouts, on the queue and on the DLQ', () => {
    const [, analyzer] = serviceFunction(/analyzer/);
    assert.equal(typeof analyzer.Timeout, 'number');
    for (const id of [queueId(), deadLetterQueueId()]) {
      const queue = template.toJSON().Resources[id].Properties as Json;
      assert.ok(
        Number(queue.VisibilityTimeout) >= 6 * Number(analyzer.Timeout),
        `${id}: visibility ${queue.VisibilityTimeout}s < 6 × ${analyzer.Timeout}s`,
      );
    }
  });

  test('keeps dead letters for 14 days', () => {
    assert.equal(template.toJSON().Resources[deadLetterQueueId()].Properties.MessageRetentionPeriod, 14 * 86400);
  });

  test('both queues refuse requests that are not over TLS', () => {
    const denied = resources('AWS::SQS::QueuePolicy').flatMap(([, p]) =>
      (p.PolicyDocument as { Statement: Json[] }).Statement.filter(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
      ).flatMap(() => p.Queues as unknown[]),
    );
    const queueIds = resources('AWS::SQS::Queue').map(([id]) => id);
    assert.deepEqual(denied.map((q) => (q as { Ref: string }).Ref).sort(), queueIds.sort());
  });

  test('lets only this bucket send to the queue', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArchivesBucket'), 'Arn'] } },
            },
          }),
        ]),
      },
    });
  });

  test('feeds the analyzer, from the queue and from the DLQ, one record at a time with per-item failure reports', () => {
    const [analyzerId] = serviceFunction(/analyzer/);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    for (const id of [queueId(), deadLetterQueueId()]) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [id, 'Arn'] },
        FunctionName: { Ref: analyzerId },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 1,
      });
    }
  });

  test("tells the analyzer the DLQ's ARN, so it can tell dead letters apart by eventSourceARN", () => {
    const [, analyzer] = serviceFunction(/analyzer/);
    assert.deepEqual(envOf(analyzer).DEAD_LETTER_QUEUE_ARN, { 'Fn::GetAtt': [deadLetterQueueId(), 'Arn'] });
  });

  test('alarms when the DLQ hands out a message (within 5 minutes; no data is not a breach)', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesReceived',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueueId(), 'QueueName'] } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('functions', () => {
  test('are Node.js 22 on arm64 with source maps, reading the resource names and settings from the environment', () => {
    const outputs = template.toJSON().Outputs;
    const fns = resources('AWS::Lambda::Function').filter(([, p]) => p.Runtime === 'nodejs22.x');
    assert.equal(fns.length, 2);
    const common = {
      NODE_OPTIONS: '--enable-source-maps',
      TRACELENS_RETENTION_DAYS: '30',
      TABLE_NAME: { Ref: outputs.TableName.Value.Ref },
      BUCKET_NAME: { Ref: outputs.BucketName.Value.Ref },
    };
    for (const [, fn] of fns) {
      assert.deepEqual(fn.Architectures, ['arm64']);
      assert.equal(fn.Handler, 'index.handler');
    }
    assert.deepEqual(envOf(serviceFunction(/HTTP API/)[1]), {
      ...common,
      QUEUE_URL: { Ref: queueId() },
      SHARE_SECRET_ARN: { Ref: logicalId('AWS::SecretsManager::Secret', 'ShareLinkSecret') },
    });
    assert.deepEqual(envOf(serviceFunction(/analyzer/)[1]), {
      ...common,
      DEAD_LETTER_QUEUE_ARN: { 'Fn::GetAtt': [deadLetterQueueId(), 'Arn'] },
    });
  });

  test('log to their own group, kept for a month, and may write to that group only', () => {
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const group = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const [[, logGroup]] = resources('AWS::Logs::LogGroup').filter(([id]) => id === group) as [[string, Json]];
      assert.equal(logGroup.RetentionInDays, 30);
      const logs = statementsOf(fn).filter((s) => actions(s).some((a) => a.startsWith('logs:')));
      assert.deepEqual(logs.flatMap(actions).sort(), ['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const s of logs) assert.deepEqual(s.Resource, { 'Fn::GetAtt': [group, 'Arn'] });
    }
  });

  test('have their own roles, with no managed policy', () => {
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const role = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const props = template.toJSON().Resources[role].Properties as Json;
      assert.equal(props.ManagedPolicyArns, undefined, `${description}`);
    }
  });

  test('API: 512 MB, 29 s', () => {
    const [, api] = serviceFunction(/HTTP API/);
    assert.equal(api.MemorySize, 512);
    assert.equal(api.Timeout, 29);
  });

  test('analyzer: 3008 MB, 15 min, 10 GiB of /tmp', () => {
    const [, analyzer] = serviceFunction(/analyzer/);
    assert.equal(analyzer.MemorySize, 3008);
    assert.equal(analyzer.Timeout, 900);
    assert.deepEqual(analyzer.EphemeralStorage, { Size: 10240 });
  });

  test('API may get and put archives/ and reports/, and list the parts of multipart uploads under archives/', () => {
    const [, api] = serviceFunction(/HTTP API/);
    assert.deepEqual(keyPatterns(api, 's3:GetObject'), ['archives/*', 'reports/*']);
    assert.deepEqual(keyPatterns(api, 's3:PutObject'), ['archives/*', 'reports/*']);
    assert.deepEqual(keyPatterns(api, 's3:AbortMultipartUpload'), ['archives/*', 'reports/*']);
    assert.deepEqual(keyPatterns(api, 's3:ListMultipartUploadParts'), ['archives/*']);
  });

  test('analyzer may read archives/ and read/write reports/, and never write archives', () => {
    const [, analyzer] = serviceFunction(/analyzer/);
    assert.deepEqual(keyPatterns(analyzer, 's3:GetObject'), ['archives/*', 'reports/*']);
    assert.deepEqual(keyPatterns(analyzer, 's3:PutObject'), ['reports/*']);
    assert.deepEqual(keyPatterns(analyzer, 's3:ListMultipartUploadParts'), []);
  });

  test('the only bucket-level action either has is ListBucket, and only on the archive bucket', () => {
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const onBucket = statementsOf(fn).filter((s) => JSON.stringify(s.Resource).match(/^\{"Fn::GetAtt":\["ArchivesBucket/));
      assert.deepEqual(onBucket.flatMap(actions), ['s3:ListBucket'], `${description}`);
    }
  });

  test('neither may delete objects, nor use a wildcard action', () => {
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const granted = statementsOf(fn).flatMap(actions);
      assert.ok(granted.some((a) => a.startsWith('s3:')));
      for (const action of granted) assert.ok(!/\*/.test(action), `${description} may ${action}`);
      for (const action of granted.filter((a) => a.startsWith('s3:'))) {
        assert.ok(!/Delete/.test(action), `${description} may ${action}`);
      }
    }
  });

  test('API may send to the archive queue and nothing else on SQS; the analyzer may not send at all', () => {
    const sqsOf = (description: RegExp) =>
      statementsOf(serviceFunction(description)[1]).filter((s) => actions(s).some((a) => a.startsWith('sqs:')));
    assert.deepEqual(sqsOf(/HTTP API/), [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId(), 'Arn'] } }]);
    assert.ok(!sqsOf(/analyzer/).flatMap(actions).includes('sqs:SendMessage'));
  });

  test('analyzer may consume both queues (what its event sources need)', () => {
    const [, analyzer] = serviceFunction(/analyzer/);
    for (const id of [queueId(), deadLetterQueueId()]) {
      const arn = JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
      const granted = statementsOf(analyzer)
        .filter((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).some((r) => JSON.stringify(r) === arn))
        .flatMap(actions);
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
        assert.ok(granted.includes(action), `analyzer lacks ${action} on ${id}`);
      }
    }
  });

  test('refuse a bucket prefix that does not end in "/" (it would grant archives-old/* too)', () => {
    const scope = new Stack(new App({ context: NO_BUNDLING }), 'Prefixes');
    const bucket = new Bucket(scope, 'Bucket');
    const table = new Table(scope, 'Table', { partitionKey: { name: 'PK', type: AttributeType.STRING } });
    const props = { projectRoot: root, entry: 'functions/api/handler.ts', description: 'x', memorySize: 128 };
    const timeout = Duration.seconds(3);
    const make = (id: string, read: string[], multipart: string[] = []) =>
      new ServiceFunction(scope, id, {
        ...props,
        timeout,
        table,
        retentionDays: 30,
        bucket: { bucket, read, write: ['archives/'], multipart },
      });
    assert.doesNotThrow(() => make('Slash', ['archives/'], ['archives/']));
    assert.throws(() => make('NoSlash', ['archives']), /must end in "\/"/);
    assert.throws(() => make('NotWritten', ['archives/'], ['reports/']), /must also be written/);
  });

  test('both may read and write the table and both its indexes', () => {
    const table = template.toJSON().Outputs.TableName.Value.Ref as string;
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const onTable = statementsOf(fn).filter((s) => JSON.stringify(s.Resource).includes(table));
      const granted = onTable.flatMap(actions);
      for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
        assert.ok(granted.includes(action), `${description} lacks ${action}`);
      }
      assert.ok(JSON.stringify(onTable).includes('/index/*'), `${description} cannot query GSI1/GSI2`);
    }
  });
});

describe('HTTP API', () => {
  test('sends every request on the $default stage to the API function, payload 2.0', () => {
    const [apiId] = serviceFunction(/HTTP API/);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: Match.anyValue() }]] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [apiId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [apiId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  test('throttles the $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  test('writes JSON access logs, without headers, to a log group kept for a month', () => {
    const [, stage] = resources('AWS::ApiGatewayV2::Stage')[0]!;
    const settings = stage.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    const [groupId] = settings.DestinationArn['Fn::GetAtt'];
    assert.equal(template.toJSON().Resources[groupId].Properties.RetentionInDays, 30);
    const format = JSON.parse(settings.Format) as Record<string, string>;
    assert.equal(format.requestId, '$context.requestId');
    assert.equal(format.status, '$context.status');
    assert.ok(!/header|authorization/i.test(settings.Format), settings.Format);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('finds nothing that is not acknowledged with a reason: no error and no warning', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    const found = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    assert.deepEqual(found, []);
    assert.equal(report.success, true);
  });

  test('acknowledges only these findings, each with a specific reason', () => {
    const acknowledged = new Map<string, string[]>();
    const visit = (c: import('constructs').IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          const rule = id.replace(/^annotation::/i, '');
          assert.ok(reason.length >= 80, `${rule} at ${c.node.path}: reason too short: ${reason}`);
          acknowledged.set(rule, [...(acknowledged.get(rule) ?? []), c.node.path.replace(/^TraceLens\//, '')]);
        }
      }
      for (const child of c.node.children) visit(child);
    };
    visit(stack);
    const handler = [...acknowledged.values()].flat().find((p) => p.startsWith('BucketNotificationsHandler'));
    const policies = ['Analyzer/Role/DefaultPolicy', 'ApiHandler/Role/DefaultPolicy'];
    const table = logicalId('AWS::DynamoDB::Table', 'DataTable');
    const bucket = logicalId('AWS::S3::Bucket', 'ArchivesBucket');
    assert.deepEqual(Object.fromEntries([...acknowledged].map(([k, v]) => [k, v.sort()])), {
      'AwsSolutions-L1': ['Analyzer/Function', 'ApiHandler/Function'],
      [`AwsSolutions-IAM5[Resource::<${table}.Arn>/index/*]`]: policies,
      [`AwsSolutions-IAM5[Resource::<${bucket}.Arn>/archives/*]`]: policies,
      [`AwsSolutions-IAM5[Resource::<${bucket}.Arn>/reports/*]`]: policies,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': [
        handler,
      ],
      'AwsSolutions-APIG4': ['Http/Api'],
      'AwsSolutions-SMG4': ['ShareLinkSecret'],
    });
  });
});

describe('bundling', () => {
  test('builds an ESM bundle with a source map using the local esbuild, not Docker', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'tracelens-cdk-out-'));
    try {
      const { app } = synth({}, outdir);
      app.synth();
      const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
      assert.equal(assets.length, 2, 'one bundle per function');
      for (const asset of assets) {
        assert.deepEqual(readdirSync(join(outdir, asset)).sort(), ['index.mjs', 'index.mjs.map']);
        const code = readFileSync(join(outdir, asset, 'index.mjs'), 'utf8');
        assert.ok(code.startsWith("import { createRequire } from 'node:module';"), code.slice(0, 120));
        assert.match(code, /export\s*\{.*handler/s);
        assert.match(code, /sourceMappingURL=index\.mjs\.map/);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
