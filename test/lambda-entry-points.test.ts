// The two Lambda entry points, fed the real event shapes they receive on AWS (an API Gateway HTTP API
// payload 2.0 event; an SQS event whose body is an S3 notification), against the embedded stores.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, SQSEvent } from 'aws-lambda';
import { encodeEventKey } from '../shared/analyzer/queue-messages.js';
import type { Report } from '../shared/model/report.js';
import { boxedArchive, MAPSTRESS_KINDS } from './helpers/samples.js';
import { startTestStores, type TestStores } from './helpers/stores.js';

let stores: TestStores;
/** An API key of tenant `local` (ingest, read), made in the table the way `tracelens keys create` does. */
let token = '';
let apiHandler: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;
let analyzerHandler: (e: SQSEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

function apiEvent(method: string, path: string, query: string, body?: Buffer): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    cookies: [],
    headers: {
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'content-type': 'application/gzip',
      'user-agent': 'curl/8.5.0',
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-length': String(body.length) } : {}),
    },
    queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

function sqsEvent(bucket: string, key: string, size: number): SQSEvent {
  const s3Event = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '203.0.113.7' },
        responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'tracelens-archives',
          bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeEventKey(key), size, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
        },
      },
    ],
  };
  const body = JSON.stringify(s3Event);
  return {
    Records: [
      {
        messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
        receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1545082649183',
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: '1545082649185',
        },
        messageAttributes: {},
        md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:tracelens-analyses',
        awsRegion: 'eu-west-1',
      },
    ],
  };
}

describe('Lambda entry points', () => {
  before(async () => {
    stores = await startTestStores();
    Object.assign(process.env, stores.env);
    token = (await stores.keys.create('local', ['ingest', 'read'], 'lambda test', new Date().toISOString())).key;
    apiHandler = (await import('../functions/api/handler.js')).handler as never;
    analyzerHandler = (await import('../functions/analyzer/handler.js')).handler as never;
  });
  after(async () => {
    await stores?.stop();
  });

  it('API: POST stores the archive and a pending analysis; the analyzer completes it from an SQS-wrapped S3 event', async () => {
    const archive = boxedArchive();
    const res = (await apiHandler(apiEvent('POST', '/v1/analyses', 'repo=demo&branch=main&commit=abc', archive))) as {
      statusCode: number;
      body: string;
    };
    assert.equal(res.statusCode, 202, res.body);
    const { id, reportUrl } = JSON.parse(res.body) as { id: string; reportUrl: string };
    assert.equal(reportUrl, `https://abc123.execute-api.eu-west-1.amazonaws.com/v1/analyses/${id}`);

    const key = `archives/local/${id}/archive`;
    assert.ok(await stores.archives.hasArchive(key));
    const pending = (await apiHandler(apiEvent('GET', `/v1/analyses/${id}`, ''))) as { statusCode: number; body: string };
    assert.equal(pending.statusCode, 200);
    assert.equal((JSON.parse(pending.body) as Report).status, 'pending');

    const out = await analyzerHandler(sqsEvent(stores.config.bucketName, key, archive.length));
    assert.deepEqual(out, { batchItemFailures: [] });
    const done = JSON.parse(
      ((await apiHandler(apiEvent('GET', `/v1/analyses/${id}`, ''))) as { body: string }).body,
    ) as Report;
    assert.equal(done.status, 'complete');
    assert.deepEqual(done.inputs.map((i) => i.kind).sort(), MAPSTRESS_KINDS);

    // A duplicate delivery of the same event changes nothing.
    assert.deepEqual(await analyzerHandler(sqsEvent(stores.config.bucketName, key, archive.length)), { batchItemFailures: [] });
    const again = JSON.parse(((await apiHandler(apiEvent('GET', `/v1/analyses/${id}`, ''))) as { body: string }).body) as Report;
    assert.equal(again.completedAt, done.completedAt);
  });

  it('analyzer: ignores S3 test events and objects outside archives/, drops unparsable messages', async () => {
    const test = sqsEvent('b', 'x', 0);
    test.Records[0]!.body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-24T10:00:00.000Z', Bucket: 'b' });
    assert.deepEqual(await analyzerHandler(test), { batchItemFailures: [] });
    assert.deepEqual(await analyzerHandler(sqsEvent(stores.config.bucketName, 'reports/local/x.json', 10)), {
      batchItemFailures: [],
    });
    const garbage = sqsEvent('b', 'x', 0);
    garbage.Records[0]!.body = 'not json';
    assert.deepEqual(await analyzerHandler(garbage), { batchItemFailures: [] });
  });

  it('API: unknown routes are 404 in the SPEC error body', async () => {
    const res = (await apiHandler(apiEvent('GET', '/nope', ''))) as { statusCode: number; body: string };
    assert.equal(res.statusCode, 404);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'not_found');
  });
});
