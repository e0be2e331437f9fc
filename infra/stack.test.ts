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
import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ServiceFunction } from './constructs/service-function.js';
import { TraceLensStack } from './stack.js';

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

/** The app as `cdk synth` builds it: the feature flags from cdk.json, plus any extra context. */
function synth(extraContext: Json, outdir?: string): { stack: TraceLensStack; app: App } {
  const app = new App({ context: { ...cdkJson.context, ...extraContext }, ...(outdir ? { outdir } : {}) });
  return { stack: new TraceLensStack(app, 'TraceLens', { projectRoot: root }), app };
}

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
  ({ stack } = synth({ 'aws:cdk:bundling-stacks': [] }));
  template = Template.fromStack(stack);
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('stack', () => {
  test('is environment-agnostic', () => {
    assert.ok(Token.isUnresolved(stack.account), 'account is left to deploy time');
    assert.ok(Token.isUnresolved(stack.region), 'region is left to deploy time');
  });

  test('outputs the API URL, the bucket name and the table name', () => {
    template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HttpApi'), 'ApiEndpoint'] } });
    template.hasOutput('BucketName', { Value: { Ref: Match.stringLikeRegexp('^ArchivesBucket') } });
    template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('^DataTable') } });
  });
});

describe('bucket', () => {
  test('is private, encrypted, retained and never auto-emptied', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
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

  test('denies every request that is not over TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^ArchivesBucket') },
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
  });

  test('announces objects created under archives/ to the queue, and nothing else', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'archives/' }] } },
            QueueArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArchiveEventsQueue'), 'Arn'] },
          },
        ],
      },
    });
  });
});

describe('table', () => {
  test('has the single-table keys, on demand, retained', () => {
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
        ]),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    });
  });

  test('has the per-repo index GSI1', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'GSI1',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('has point-in-time recovery and expires items on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('archive queue', () => {
  test('moves a message to an encrypted DLQ after three receives', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArchiveEventsDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    for (const [, queue] of resources('AWS::SQS::Queue')) assert.equal(queue.SqsManagedSseEnabled, true);
  });

  test('keeps a message invisible for at least six analyzer timeouts', () => {
    const [, analyzer] = serviceFunction(/analyzer/);
    const [[, queue]] = resources('AWS::SQS::Queue').filter(([, q]) => q.RedrivePolicy !== undefined) as [
      [string, Json],
    ];
    assert.equal(typeof analyzer.Timeout, 'number');
    assert.ok(
      Number(queue.VisibilityTimeout) >= 6 * Number(analyzer.Timeout),
      `visibility ${queue.VisibilityTimeout}s < 6 × ${analyzer.Timeout}s`,
    );
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

  test('feeds the analyzer one record at a time with per-item failure reports', () => {
    const [analyzerId] = serviceFunction(/analyzer/);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArchiveEventsQueue'), 'Arn'] },
      FunctionName: { Ref: analyzerId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
    });
  });
});

describe('functions', () => {
  test('are Node.js 22 on arm64 with source maps, reading the resource names from the environment', () => {
    const outputs = template.toJSON().Outputs;
    const fns = resources('AWS::Lambda::Function').filter(([, p]) => p.Runtime === 'nodejs22.x');
    assert.equal(fns.length, 2);
    for (const [, fn] of fns) {
      assert.deepEqual(fn.Architectures, ['arm64']);
      assert.equal(fn.Handler, 'index.handler');
      assert.deepEqual((fn.Environment as { Variables: Json }).Variables, {
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME: { Ref: outputs.TableName.Value.Ref },
        BUCKET_NAME: { Ref: outputs.BucketName.Value.Ref },
      });
    }
  });

  test('log to their own group, kept for a month', () => {
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const group = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const [[, logGroup]] = resources('AWS::Logs::LogGroup').filter(([id]) => id === group) as [[string, Json]];
      assert.equal(logGroup.RetentionInDays, 30);
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

  test('API may get and put archives/ and reports/, nothing else in the bucket', () => {
    const [, api] = serviceFunction(/HTTP API/);
    assert.deepEqual(keyPatterns(api, 's3:GetObject'), ['archives/*', 'reports/*']);
    assert.deepEqual(keyPatterns(api, 's3:PutObject'), ['archives/*', 'reports/*']);
  });

  test('analyzer may read archives/ and read/write reports/, and never write archives', () => {
    const [, analyzer] = serviceFunction(/analyzer/);
    assert.deepEqual(keyPatterns(analyzer, 's3:GetObject'), ['archives/*', 'reports/*']);
    assert.deepEqual(keyPatterns(analyzer, 's3:PutObject'), ['reports/*']);
  });

  test('neither may delete objects, nor use wildcard S3 actions', () => {
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const s3 = statementsOf(fn).flatMap(actions).filter((a) => a.startsWith('s3:'));
      assert.ok(s3.length > 0);
      for (const action of s3) assert.ok(!/Delete|\*/.test(action), `${description} may ${action}`);
    }
  });

  test('refuse a bucket prefix that does not end in "/" (it would grant archives-old/* too)', () => {
    const scope = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Prefixes');
    const bucket = new Bucket(scope, 'Bucket');
    const table = new Table(scope, 'Table', { partitionKey: { name: 'PK', type: AttributeType.STRING } });
    const props = { projectRoot: root, entry: 'functions/api/handler.ts', description: 'x', memorySize: 128 };
    const timeout = Duration.seconds(3);
    const make = (id: string, read: string[]) =>
      new ServiceFunction(scope, id, { ...props, timeout, table, bucket: { bucket, read, write: [] } });
    assert.doesNotThrow(() => make('Slash', ['archives/']));
    assert.throws(() => make('NoSlash', ['archives']), /must end in "\/"/);
  });

  test('both may read and write the table and its index', () => {
    const table = template.toJSON().Outputs.TableName.Value.Ref as string;
    for (const description of [/HTTP API/, /analyzer/]) {
      const [, fn] = serviceFunction(description);
      const onTable = statementsOf(fn).filter((s) => JSON.stringify(s.Resource).includes(table));
      const granted = onTable.flatMap(actions);
      for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
        assert.ok(granted.includes(action), `${description} lacks ${action}`);
      }
      assert.ok(JSON.stringify(onTable).includes('/index/*'), `${description} cannot query GSI1`);
    }
  });
});

describe('HTTP API', () => {
  test('sends every request on the $default stage to the API function, payload 2.0', () => {
    const [apiId] = serviceFunction(/HTTP API/);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
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
