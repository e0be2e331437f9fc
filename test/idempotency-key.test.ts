// The Idempotency-Key header on POST /v1/analyses and POST /v1/uploads, over real HTTP against the local
// service (dynalite + s3rver): a retried request gets the analysis its first attempt made — one analysis,
// one archive, one listing entry — a key reused for another request is refused, tenants do not share keys.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHandler } from '../functions/analyzer/handler.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService, type LocalService } from '../shared/local/service.js';
import type { Report } from '../shared/model/report.js';
import { json, untilFinal } from './helpers/http.js';
import { BOXED_ARCHIVE, STRUCT_ARCHIVE } from './helpers/samples.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let s: LocalService;
let dataDir: string;
let otherTenant: string;
const boxed = readFileSync(BOXED_ARCHIVE);

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tracelens-idempotency-'));
  s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });
  otherTenant = (await s.stores.keys.create('other', ['ingest', 'read'], 'other', new Date().toISOString())).key;
});
after(async () => {
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function post(path: string, body: RequestInit['body'], headers: Record<string, string>, token = s.token) {
  return fetch(`${s.url}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, ...headers } });
}

async function listed(branch: string): Promise<string[]> {
  const res = await fetch(`${s.url}/v1/repos/demo/analyses?branch=${branch}`, { headers: { authorization: `Bearer ${s.token}` } });
  return ((await json(res)).items as Array<{ id: string }>).map((i) => i.id);
}

async function archivesOf(id: string): Promise<number> {
  const out = await s.stores.s3.send(new ListObjectsV2Command({ Bucket: s.config.bucketName, Prefix: `archives/local/${id}/` }));
  return out.KeyCount ?? 0;
}

function waitDone(id: string): Promise<Report> {
  const read = async () => (await json(await fetch(`${s.url}/v1/analyses/${id}`, { headers: { authorization: `Bearer ${s.token}` } }))) as Report;
  return untilFinal(read, `analysis ${id}`);
}

describe('Idempotency-Key on POST /v1/analyses', () => {
  it('a retry with the same key gets the first analysis: one analysis, one archive, one report', async () => {
    const headers = { 'idempotency-key': '"6f1c2b1e-direct-1"', 'content-type': 'application/gzip' };
    const first = await post('/v1/analyses?repo=demo&branch=idem-direct&commit=c1', boxed, headers);
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const a = await json(first);
    const again = await post('/v1/analyses?repo=demo&branch=idem-direct&commit=c1', boxed, headers);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const b = await json(again);
    assert.equal(b.id, a.id);
    assert.equal(b.reportUrl, a.reportUrl);
    assert.equal((await waitDone(a.id)).status, 'complete');
    // After it finished, a late retry still answers with it (and its status now).
    const late = await json(await post('/v1/analyses?repo=demo&branch=idem-direct&commit=c1', boxed, headers));
    assert.deepEqual([late.id, late.status], [a.id, 'complete']);
    assert.deepEqual(await listed('idem-direct'), [a.id]);
    assert.equal(await archivesOf(a.id), 1);
  });

  it('concurrent requests with one key make one analysis', async () => {
    const headers = { 'idempotency-key': 'concurrent-7d1e' };
    const answers = await Promise.all([1, 2, 3, 4].map(() => post('/v1/analyses?repo=demo&branch=idem-concurrent', boxed, headers)));
    const bodies = await Promise.all(answers.map(json));
    assert.deepEqual(answers.map((r) => r.status), [202, 202, 202, 202], JSON.stringify(bodies));
    assert.equal(new Set(bodies.map((b) => b.id)).size, 1, JSON.stringify(bodies));
    assert.equal(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 3);
    await waitDone(bodies[0].id);
    assert.deepEqual(await listed('idem-concurrent'), [bodies[0].id]);
  });

  it('without a key, or with different keys, each request is its own analysis', async () => {
    const a = await json(await post('/v1/analyses?repo=demo&branch=idem-distinct', boxed, {}));
    const b = await json(await post('/v1/analyses?repo=demo&branch=idem-distinct', boxed, {}));
    const c = await json(await post('/v1/analyses?repo=demo&branch=idem-distinct', boxed, { 'idempotency-key': 'distinct-1' }));
    const d = await json(await post('/v1/analyses?repo=demo&branch=idem-distinct', boxed, { 'idempotency-key': 'distinct-2' }));
    assert.equal(new Set([a.id, b.id, c.id, d.id]).size, 4);
    for (const x of [a, b, c, d]) await waitDone(x.id);
  });

  it('a key reused for a different request is a 400 naming the first analysis; nothing is made', async () => {
    const headers = { 'idempotency-key': 'reused-3a9f' };
    const first = await json(await post('/v1/analyses?repo=demo&branch=idem-reused', boxed, headers));
    for (const [path, body] of [
      ['/v1/analyses?repo=demo&branch=idem-reused', readFileSync(STRUCT_ARCHIVE)], // another archive
      ['/v1/analyses?repo=demo&branch=idem-reused&commit=other', boxed], // other metadata
    ] as const) {
      const res = await post(path, body, headers);
      assert.equal(res.status, 400);
      const err = (await json(res)).error;
      assert.equal(err.code, 'invalid_request');
      assert.match(err.message, new RegExp(`Idempotency-Key reused-3a9f was used for a different request \\(analysis ${first.id}\\)`));
    }
    await waitDone(first.id);
    assert.deepEqual(await listed('idem-reused'), [first.id]);
  });

  it('keys are per tenant: another tenant with the same key gets its own analysis', async () => {
    const headers = { 'idempotency-key': 'shared-key-1' };
    const mine = await json(await post('/v1/analyses?repo=demo&branch=idem-tenant', boxed, headers));
    const theirs = await post('/v1/analyses?repo=demo&branch=idem-tenant', boxed, headers, otherTenant);
    assert.equal(theirs.status, 202);
    assert.equal(theirs.headers.get('idempotent-replayed'), null);
    assert.notEqual((await json(theirs)).id, mine.id);
    await waitDone(mine.id);
  });

  it('a malformed key is a 400 before anything is stored', async () => {
    for (const bad of ['', 'a'.repeat(256), 'has space', 'quote"inside']) {
      const res = await post('/v1/analyses?repo=demo&branch=idem-bad', boxed, { 'idempotency-key': bad });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.match((await json(res)).error.message, /Idempotency-Key must be 1 to 255 printable ASCII characters/);
    }
    assert.deepEqual(await listed('idem-bad'), []);
  });
});

describe('Idempotency-Key on POST /v1/uploads', () => {
  const request = (branch: string, method: string) =>
    JSON.stringify({ repo: 'demo', branch, commit: 'u1', sizeBytes: boxed.byteLength, fileName: 'boxed.tar.gz', method });

  it('a retried PUT upload gets the same analysis with a fresh URL that works', async () => {
    const headers = { 'idempotency-key': 'upload-put-1', 'content-type': 'application/json' };
    const first = await json(await post('/v1/uploads', request('idem-put', 'PUT'), headers));
    const again = await post('/v1/uploads', request('idem-put', 'PUT'), headers);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const second = await json(again);
    assert.equal(second.id, first.id);
    assert.equal(second.upload.method, 'PUT');
    const put = await fetch(second.upload.url, { method: 'PUT', headers: second.upload.headers, body: boxed });
    assert.equal(put.status, 200);
    assert.equal((await waitDone(first.id)).status, 'complete');
    assert.deepEqual(await listed('idem-put'), [first.id]);
    // Once the bytes arrived, the key cannot hand out upload URLs again.
    const late = await post('/v1/uploads', request('idem-put', 'PUT'), headers);
    assert.equal(late.status, 409);
    assert.match((await json(late)).error.message, new RegExp(`already arrived \\(analysis ${first.id} complete\\)`));
  });

  it('a retried multipart upload gets the same S3 upload id, its parts signed again', async () => {
    const headers = { 'idempotency-key': 'upload-multipart-1', 'content-type': 'application/json' };
    const first = await json(await post('/v1/uploads', request('idem-multipart', 'MULTIPART'), headers));
    const second = await json(await post('/v1/uploads', request('idem-multipart', 'MULTIPART'), headers));
    assert.equal(second.id, first.id);
    assert.equal(second.upload.parts.length, 1);
    const uploadIdOf = (u: string) => new URL(u).searchParams.get('uploadId');
    assert.equal(uploadIdOf(second.upload.parts[0].url), uploadIdOf(first.upload.parts[0].url));
    const part = await fetch(second.upload.parts[0].url, { method: 'PUT', body: boxed });
    assert.equal(part.status, 200);
    const done = await fetch(second.upload.completeUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ parts: [{ partNumber: 1, etag: part.headers.get('etag') }] }),
    });
    assert.equal(done.status, 202, await done.clone().text());
    assert.equal((await waitDone(first.id)).status, 'complete');
    assert.deepEqual(await listed('idem-multipart'), [first.id]);
  });

  it('the same key on the other route is a different request', async () => {
    const headers = { 'idempotency-key': 'cross-route-1', 'content-type': 'application/json' };
    const direct = await json(await post('/v1/analyses?repo=demo&branch=idem-cross', boxed, { 'idempotency-key': 'cross-route-1' }));
    const res = await post('/v1/uploads', request('idem-cross', 'PUT'), headers);
    assert.equal(res.status, 400);
    assert.match((await json(res)).error.message, new RegExp(`used for a different request \\(analysis ${direct.id}\\)`));
    await waitDone(direct.id);
  });
});
