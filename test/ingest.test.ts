// Ingest at scale, end to end over real HTTP against the local service (embedded dynalite and s3rver,
// the production code path): presigned PUT, presigned POST and multipart uploads to a complete report,
// duplicate deliveries, an analyzer that dies mid-run, uploads that lie about their size, re-analysis.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { createHandler } from '../functions/analyzer/handler.js';
import { DEFAULT_LIMITS } from '../shared/limits.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService, type LocalService, type LocalServiceOptions } from '../shared/local/service.js';
import type { Report } from '../shared/model/report.js';
import { ddbKeys } from '../shared/storage/keys.js';
import type { ArchiveStore } from '../shared/storage/ports.js';
import { fetchWithToken, json, untilFinal } from './helpers/http.js';
import { BOXED_ARCHIVE, boxedArchive } from './helpers/samples.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dirs: string[] = [];
const services: LocalService[] = [];
const fetch = fetchWithToken(() => services);
after(async () => {
  for (const s of services) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startService(extra: Partial<LocalServiceOptions> = {}): Promise<LocalService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-ingest-'));
  dirs.push(dataDir);
  const s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50, ...extra });
  services.push(s);
  return s;
}

async function createUpload(s: LocalService, body: Record<string, unknown>) {
  const res = await fetch(`${s.url}/v1/uploads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = await json(res);
  assert.equal(res.status, 201, JSON.stringify(out));
  return out;
}

function waitDone(s: LocalService, id: string, timeoutMs = 60_000): Promise<Report> {
  return untilFinal(async () => (await json(await fetch(`${s.url}/v1/analyses/${id}`))) as Report, `analysis ${id}`, { timeoutMs });
}

/** Finding items stored for an analysis (PK partition, SK F#...). */
async function findingItems(s: LocalService, id: string): Promise<string[]> {
  const out = await s.stores.db.send(
    new QueryCommand({
      TableName: s.config.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :f)',
      ExpressionAttributeValues: { ':pk': ddbKeys.analysis('local', id).PK, ':f': 'F#' },
    }),
  );
  return (out.Items ?? []).map((i) => i.SK as string).sort();
}

describe('uploads to a complete report', () => {
  let s: LocalService;
  before(async () => {
    s = await startService();
  });

  it('presigned PUT: signs the exact length; the PUT leads to a complete report listed for the repo', async () => {
    const archive = boxedArchive();
    const up = await createUpload(s, { repo: 'demo', branch: 'main', commit: 'abc', fileName: 'boxed.tar.gz', sizeBytes: archive.length });
    assert.equal(up.upload.method, 'PUT');
    assert.equal(up.upload.headers['content-length'], String(archive.length));
    assert.match(up.upload.url, /X-Amz-SignedHeaders=content-length%3Bhost/);
    const put = await fetch(up.upload.url, { method: 'PUT', body: archive, headers: up.upload.headers });
    assert.equal(put.status, 200);
    const r = await waitDone(s, up.id);
    assert.equal(r.status, 'complete', r.error);
    assert.equal(r.inputs.length, 7);
    const list = await json(await fetch(`${s.url}/v1/repos/demo/analyses?branch=main`));
    assert.ok(list.items.some((i: { id: string; status: string }) => i.id === up.id && i.status === 'complete'));
    assert.deepEqual(await findingItems(s, up.id), r.findings.map((f) => `F#${f.id}`).sort());
  });

  it('presigned POST: a form upload with the policy fields leads to a complete report', async () => {
    const archive = boxedArchive();
    const up = await createUpload(s, { repo: 'demo', branch: 'post', sizeBytes: archive.length, method: 'POST' });
    assert.equal(up.upload.method, 'POST');
    assert.ok(up.upload.fields.Policy, 'the policy (with its content-length-range) is among the fields');
    const policy = JSON.parse(Buffer.from(up.upload.fields.Policy, 'base64').toString('utf8'));
    assert.ok(policy.conditions.some((c: unknown) => Array.isArray(c) && c[0] === 'content-length-range' && c[2] === archive.length));
    const form = new FormData();
    for (const [k, v] of Object.entries(up.upload.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([archive]), 'boxed.tar.gz');
    const res = await fetch(up.upload.url, { method: 'POST', body: form });
    assert.ok(res.status === 204 || res.status === 200 || res.status === 201, `POST ${res.status}: ${await res.text()}`);
    const r = await waitDone(s, up.id);
    assert.equal(r.status, 'complete', r.error);
  });

  it('multipart above 100 MB: part URLs, complete with the ETags, a complete report', async () => {
    // A real archive over 100 MB: the boxed sample's files plus 101 MiB of padding in one .tar.
    const dir = mkdtempSync(join(tmpdir(), 'tracelens-big-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'in'));
    execFileSync('tar', ['-xzf', BOXED_ARCHIVE, '-C', join(dir, 'in')]);
    writeFileSync(join(dir, 'in', 'padding.bin'), Buffer.alloc(101 * 1024 * 1024, 0x61));
    execFileSync('tar', ['-cf', join(dir, 'big.tar'), '-C', join(dir, 'in'), '.']);
    const archive = readFileSync(join(dir, 'big.tar'));
    assert.ok(archive.length > 100 * 1024 * 1024);

    const up = await createUpload(s, { repo: 'demo', branch: 'big', fileName: 'big.tar', sizeBytes: archive.length });
    assert.equal(up.upload.method, 'MULTIPART');
    const { partSize, parts } = up.upload as { partSize: number; parts: Array<{ partNumber: number; url: string }> };
    assert.equal(parts.length, Math.ceil(archive.length / partSize));
    const done: Array<{ partNumber: number; etag: string }> = [];
    for (const p of parts) {
      const chunk = archive.subarray((p.partNumber - 1) * partSize, p.partNumber * partSize);
      const res = await fetch(p.url, { method: 'PUT', body: chunk, headers: { 'content-length': String(chunk.length) } });
      assert.equal(res.status, 200);
      done.push({ partNumber: p.partNumber, etag: res.headers.get('etag')! });
    }
    // Missing a part: refused with the reason, nothing assembled.
    const partial = await fetch(`${s.url}/v1/uploads/${up.id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts: done.slice(1) }),
    });
    assert.equal(partial.status, 400);
    assert.match((await json(partial)).error.message, /every part exactly once/);
    const complete = await fetch(`${s.url}/v1/uploads/${up.id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts: done }),
    });
    assert.equal(complete.status, 202, await complete.clone().text());
    const again = await fetch(`${s.url}/v1/uploads/${up.id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts: done }),
    });
    assert.equal(again.status, 409);
    const r = await waitDone(s, up.id, 120_000);
    assert.equal(r.status, 'complete', r.error);
    assert.ok(r.inputs.some((i) => i.kind === 'perf-script'));
    assert.ok(r.inputs.some((i) => i.name.endsWith('padding.bin')));
  });

  it('an upload larger than declared: failed with the reason, the archive kept', async () => {
    const archive = boxedArchive();
    const up = await createUpload(s, { repo: 'demo', branch: 'liar', sizeBytes: archive.length - 1000 });
    // The emulator checks no signature, so the bigger body is stored: the analyzer must catch it.
    const put = await fetch(up.upload.url, { method: 'PUT', body: archive });
    assert.equal(put.status, 200);
    const r = await waitDone(s, up.id);
    assert.equal(r.status, 'failed');
    assert.match(r.error ?? '', new RegExp(`is ${archive.length} bytes but ${archive.length - 1000} were declared`));
    assert.ok(await s.stores.archives.hasArchive(`archives/local/${up.id}/archive`));
  });

  it('over the limit: refused at POST /v1/uploads (413), and an archive over it fails in the analyzer, kept', async () => {
    const small = await startService({ limits: { ...DEFAULT_LIMITS, archiveBytes: 100_000 } });
    const res = await fetch(`${small.url}/v1/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sizeBytes: 200_000 }),
    });
    assert.equal(res.status, 413);
    const direct = await fetch(`${small.url}/v1/analyses?repo=demo`, { method: 'POST', body: boxedArchive() });
    assert.equal(direct.status, 202);
    const { id } = await json(direct);
    const r = await waitDone(small, id);
    assert.equal(r.status, 'failed');
    assert.match(r.error ?? '', /over the limit of 100000 bytes/);
    assert.ok(await small.stores.archives.hasArchive(`archives/local/${id}/archive`));
  });

  it('validates requests: no size, a bad repo, completing a PUT upload, unknown ids', async () => {
    const bad = await fetch(`${s.url}/v1/uploads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"repo":"demo"}' });
    assert.equal(bad.status, 400);
    assert.match((await json(bad)).error.message, /sizeBytes/);
    const notJson = await fetch(`${s.url}/v1/uploads`, { method: 'POST', body: 'x' });
    assert.equal(notJson.status, 400);
    const up = await createUpload(s, { sizeBytes: 10 });
    const c = await fetch(`${s.url}/v1/uploads/${up.id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts: [{ partNumber: 1, etag: '"x"' }] }),
    });
    assert.equal(c.status, 409);
    const gone = await fetch(`${s.url}/v1/uploads/01J00000000000000000000000/complete`, { method: 'POST', body: '{}' });
    assert.equal(gone.status, 404);
    const del = await fetch(`${s.url}/v1/uploads/${up.id}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    assert.equal((await json(await fetch(`${s.url}/v1/analyses/${up.id}`))).status, 'failed');
  });
});

describe('the repo index over real HTTP', () => {
  it('pages newest first through more than one page, by branch, with a cursor', async () => {
    const s = await startService();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const branch = i % 5 === 0 ? 'release' : 'main';
      const res = await fetch(`${s.url}/v1/analyses?repo=acme/svc&branch=${branch}&commit=c${i}`, { method: 'POST', body: `gc ${i + 1} @0.0${i}s 0%: 0.1+1+0.1 ms clock, 0.1+0/0.1/0+0.1 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P\n` });
      assert.equal(res.status, 202);
      ids.push((await json(res)).id);
    }
    await s.idle();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `${s.url}/v1/repos/${encodeURIComponent('acme/svc')}/analyses?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await json(await fetch(url));
      pages++;
      seen.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse(), 'every analysis once, newest first');
    const release = await json(await fetch(`${s.url}/v1/repos/acme/svc/analyses?branch=release`));
    assert.deepEqual(release.items.map((i: { id: string }) => i.id), ids.filter((_, i) => i % 5 === 0).reverse());
    assert.equal(release.nextCursor, null);
  });
});

describe('deliveries: duplicates, a dying analyzer, re-analysis', () => {
  it('the same S3 event delivered three times at once makes one report, analysed once', async () => {
    const s = await startService();
    const res = await fetch(`${s.url}/v1/analyses?repo=demo&branch=dup`, { method: 'POST', body: boxedArchive() });
    const { id } = await json(res);
    const first = await waitDone(s, id);
    assert.equal(first.status, 'complete');
    // Re-deliver its ObjectCreated event three times concurrently, as S3/SQS may.
    const key = `archives/local/${id}/archive`;
    const head = await s.stores.archives.headArchive(key);
    const handler = createHandler({
      analyses: s.stores.analyses,
      archives: s.stores.archives,
      idempotency: s.stores.idempotency,
      limits: DEFAULT_LIMITS,
      log: silentLogger,
    });
    const event = (n: number, objectKey = key, object = head!): SQSEvent =>
      ({
        Records: [
          {
            messageId: `dup-${n}`,
            eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tracelens-analyses',
            body: JSON.stringify({
              Records: [
                {
                  eventSource: 'aws:s3',
                  eventName: 'ObjectCreated:Put',
                  s3: { bucket: { name: s.config.bucketName }, object: { key: objectKey, size: object.bytes, eTag: object.etag } },
                },
              ],
            }),
          },
        ],
      }) as unknown as SQSEvent;
    const answers = await Promise.all([1, 2, 3].map((n) => handler(event(n))));
    assert.deepEqual(answers.map((a) => a.batchItemFailures.length), [0, 0, 0]);
    const after = await s.stores.analyses.get('local', id);
    assert.equal(after?.status, 'complete');
    assert.equal(after?.attempts, 1, 'no duplicate ran the analysis again');
    assert.equal(after?.completedAt, first.completedAt);

    // A brand-new analysis whose first delivery arrives three times at once: still one run.
    const res2 = await fetch(`${s.url}/v1/analyses?repo=demo&branch=dup2`, { method: 'POST', body: boxedArchive() });
    const id2 = (await json(res2)).id as string;
    const key2 = `archives/local/${id2}/archive`;
    const head2 = await s.stores.archives.headArchive(key2);
    const ev2 = (n: number) => event(n, key2, head2!);
    await Promise.all([4, 5, 6].map((n) => handler(ev2(n))));
    const r2 = await waitDone(s, id2);
    assert.equal(r2.status, 'complete');
    const rec2 = await s.stores.analyses.get('local', id2);
    assert.equal(rec2?.attempts, 1, 'one of the four deliveries (the service own and three duplicates) ran it');
    assert.deepEqual(await findingItems(s, id2), r2.findings.map((f) => `F#${f.id}`).sort());
  });

  it('an analyzer that dies mid-run is retried after the visibility timeout and ends in one complete report', async () => {
    let opens = 0;
    const stalled: PassThrough[] = [];
    const wrap = (inner: ArchiveStore): ArchiveStore => ({
      putArchive: (k, b, t) => inner.putArchive(k, b, t),
      hasArchive: (k) => inner.hasArchive(k),
      headArchive: (k) => inner.headArchive(k),
      async openArchive(k) {
        const stored = await inner.openArchive(k);
        if (++opens > 1) return stored;
        // The first attempt reads 100 000 bytes and then hangs forever: a Lambda killed mid-run.
        const out = new PassThrough();
        stalled.push(out);
        let sent = 0;
        (stored.body as Readable).on('data', (chunk: Buffer) => {
          if (sent >= 100_000) return;
          out.write(chunk.subarray(0, 100_000 - sent));
          sent += chunk.length;
        });
        return { ...stored, body: out };
      },
    });
    const s = await startService({ visibilityTimeoutMs: 3000, wrapAnalyzerArchives: wrap });
    const res = await fetch(`${s.url}/v1/analyses?repo=demo&branch=crash`, { method: 'POST', body: boxedArchive() });
    const { id } = await json(res);
    // The first attempt starts, then hangs with the archive half read.
    let seen = '';
    for (const t0 = Date.now(); seen !== 'running' && Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 20))) {
      seen = (await json(await fetch(`${s.url}/v1/analyses/${id}`))).status;
    }
    assert.equal(seen, 'running');
    const r = await waitDone(s, id, 30_000);
    assert.equal(r.status, 'complete', r.error);
    const rec = await s.stores.analyses.get('local', id);
    // The second attempt took the expired lease over (on a loaded machine a slow second attempt may
    // itself outlive the visibility timeout: a third then finishes; still one report).
    assert.ok(rec!.attempts >= 2, `attempts ${rec?.attempts}`);
    assert.equal(opens, rec!.attempts);
    assert.deepEqual(await findingItems(s, id), r.findings.map((f) => `F#${f.id}`).sort(), 'no duplicated findings');
    for (const p of stalled) p.destroy();
  });

  it('re-analysis runs the stored archive again: a new generation, one report, no duplicated findings', async () => {
    const s = await startService();
    const res = await fetch(`${s.url}/v1/analyses?repo=demo&branch=again`, { method: 'POST', body: boxedArchive() });
    const { id } = await json(res);
    const first = await waitDone(s, id);
    assert.equal(first.status, 'complete');
    const re = await fetch(`${s.url}/v1/analyses/${id}/reanalyze`, { method: 'POST' });
    assert.equal(re.status, 202);
    assert.equal((await json(re)).generation, 1);
    await s.idle();
    const second = await waitDone(s, id);
    assert.equal(second.status, 'complete');
    const rec = await s.stores.analyses.get('local', id);
    assert.equal(rec?.generation, 1);
    assert.deepEqual(second.findings.map((f) => f.id), first.findings.map((f) => f.id));
    assert.deepEqual(await findingItems(s, id), first.findings.map((f) => `F#${f.id}`).sort());
    const unknown = await fetch(`${s.url}/v1/analyses/01J00000000000000000000000/reanalyze`, { method: 'POST' });
    assert.equal(unknown.status, 404);
  });

  it('after the last receive, the dead letter marks the analysis failed and keeps the archive', async () => {
    // Every attempt dies (the body never ends); three receives, then the DLQ record.
    const wrap = (inner: ArchiveStore): ArchiveStore => ({
      ...inner,
      putArchive: (k, b, t) => inner.putArchive(k, b, t),
      hasArchive: (k) => inner.hasArchive(k),
      headArchive: (k) => inner.headArchive(k),
      async openArchive(k) {
        const stored = await inner.openArchive(k);
        (stored.body as Readable).destroy();
        return { ...stored, body: new PassThrough() };
      },
    });
    const s = await startService({ visibilityTimeoutMs: 400, wrapAnalyzerArchives: wrap });
    const res = await fetch(`${s.url}/v1/analyses?repo=demo&branch=dlq`, { method: 'POST', body: boxedArchive() });
    const { id } = await json(res);
    const r = await waitDone(s, id, 30_000);
    assert.equal(r.status, 'failed');
    assert.match(r.error ?? '', /did not finish this archive after 3 attempts/);
    assert.match(r.error ?? '', /reanalyze/);
    assert.ok(await s.stores.archives.hasArchive(`archives/local/${id}/archive`));
  });
});
