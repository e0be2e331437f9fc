// Transient AWS failures (throttling, 5xx, connection resets) injected into the real SDK clients
// (shared/storage/fault-injection.ts) against the embedded emulators: single calls ride out a burst
// through the retry policy of shared/storage/clients.ts, and whole flows — POST an archive, the analyzer
// runs, the report is read — end in exactly one complete report with nothing lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../functions/analyzer/handler.js';
import { silentLogger } from '../../shared/logger.js';
import { startLocalService, type LocalService } from '../../shared/local/service.js';
import type { Report } from '../../shared/model/report.js';
import { DEFAULT_MAX_ATTEMPTS } from '../../shared/storage/clients.js';
import { injectFaults } from '../../shared/storage/fault-injection.js';
import { ddbKeys } from '../../shared/storage/keys.js';
import { fetchWithToken, json, untilFinal } from '../helpers/http.js';
import { boxedArchive, STRUCT_ARCHIVE } from '../helpers/samples.js';
import { startTestStores, type TestStores } from '../helpers/stores.js';
import { readFileSync } from 'node:fs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

describe('one call through a burst of injected failures', () => {
  let s: TestStores;
  before(async () => {
    s = await startTestStores();
  });
  after(async () => {
    await s?.stop();
  });

  it(`DynamoDB: throttle, 5xx, reset, 5xx in a row — the ${DEFAULT_MAX_ATTEMPTS}th attempt succeeds (the SDK default of 3 would not)`, async () => {
    const f = injectFaults(s.dynamo, 'dynamodb', { sequence: ['throttle', 'server', 'reset', 'server'], operations: ['PutItem'] });
    try {
      const { key } = await s.keys.create('t1', ['read'], 'fault test', new Date().toISOString());
      assert.equal(f.stats.maxAttemptsSeen, 5);
      assert.deepEqual(f.stats.injected, { throttle: 1, server: 2, reset: 1 });
      assert.equal(f.stats.recovered, 1);
      assert.equal(f.stats.gaveUp, 0);
      assert.equal((await s.keys.verify(key))?.tenant, 't1', 'the item was written once and reads back');
    } finally {
      f.remove();
    }
  });

  it('S3: SlowDown 503, InternalError 500, reset — the archive is stored intact', async () => {
    const f = injectFaults(s.s3, 's3', { sequence: ['throttle', 'server', 'reset'], operations: ['PutObject'] });
    try {
      const body = boxedArchive();
      await s.archives.putArchive('archives/t1/01J00000000000000000000001/archive', body);
      assert.equal(f.stats.maxAttemptsSeen, 4);
      assert.equal(f.stats.recovered, 1);
      const stored = await s.archives.openArchive('archives/t1/01J00000000000000000000001/archive');
      const chunks: Buffer[] = [];
      for await (const c of stored.body as AsyncIterable<Buffer>) chunks.push(c);
      assert.ok(Buffer.concat(chunks).equals(body));
    } finally {
      f.remove();
    }
  });

  it('gives up after maxAttempts with the service’s own exception (what the caller and the queue then see)', async () => {
    const f = injectFaults(s.dynamo, 'dynamodb', { sequence: Array(DEFAULT_MAX_ATTEMPTS).fill('server'), operations: ['GetItem'] });
    try {
      await assert.rejects(s.keys.verify('tlk_abcdefghijkm_' + 'x'.repeat(43)), (err: Error & { $metadata?: { attempts?: number } }) => {
        assert.equal(err.name, 'InternalServerError');
        assert.equal(err.$metadata?.attempts, DEFAULT_MAX_ATTEMPTS);
        return true;
      });
      assert.equal(f.stats.gaveUp, 1);
    } finally {
      f.remove();
    }
  });
});

describe('whole flows with faults on every SDK call', () => {
  const dirs: string[] = [];
  let s: LocalService;
  const fetch = fetchWithToken(() => [s]);
  after(async () => {
    await s?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function waitDone(id: string, timeoutMs = 90_000): Promise<Report> {
    return untilFinal(async () => (await json(await fetch(`${s.url}/v1/analyses/${id}`))) as Report, `analysis ${id}`, { timeoutMs, pollMs: 100 });
  }

  it('uploads, analyses and report reads under ~15% failed attempts: every analysis complete once, findings stored once', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-faults-'));
    dirs.push(dataDir);
    s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });
    // At most 3 failures in a row per call: under maxAttempts (5), so the retries must carry every call.
    const ddb = injectFaults(s.stores.dynamo, 'dynamodb', { rate: 0.15, maxConsecutive: 3, seed: 7 });
    const s3 = injectFaults(s.stores.s3, 's3', { rate: 0.15, maxConsecutive: 3, seed: 11 });
    const t0 = Date.now();
    try {
      const gctrace = (i: number) =>
        `gc ${i + 1} @0.0${i}s 0%: 0.1+1+0.1 ms clock, 0.1+0/0.1/0+0.1 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P\n`;
      const bodies: Array<[string, Uint8Array | string]> = [
        ['boxed', boxedArchive()],
        ['struct', readFileSync(STRUCT_ARCHIVE)],
        ...[0, 1, 2, 3].map((i): [string, string] => [`small${i}`, gctrace(i)]),
      ];
      const posted = await Promise.all(
        bodies.map(async ([branch, body]) => {
          const res = await fetch(`${s.url}/v1/analyses?repo=faults&branch=${branch}&commit=c1`, { method: 'POST', body });
          const out = await json(res);
          assert.equal(res.status, 202, JSON.stringify(out));
          return out.id as string;
        }),
      );
      const reports = await Promise.all(posted.map((id) => waitDone(id)));
      for (const r of reports) assert.equal(r.status, 'complete', r.error);
      for (const id of posted) {
        const rec = await s.stores.analyses.get('local', id);
        assert.equal(rec?.attempts, 1, `analysis ${id} ran once: no SDK failure reached the analyzer`);
        const items = await s.stores.db.send(
          new QueryCommand({
            TableName: s.config.tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :f)',
            ExpressionAttributeValues: { ':pk': ddbKeys.analysis('local', id).PK, ':f': 'F#' },
          }),
        );
        const report = reports[posted.indexOf(id)]!;
        assert.deepEqual((items.Items ?? []).map((i) => i.SK).sort(), report.findings.map((f) => `F#${f.id}`).sort());
      }
      // The repo index lists each upload exactly once; other formats read through the faults too.
      const list = await json(await fetch(`${s.url}/v1/repos/faults/analyses?limit=50`));
      assert.deepEqual(list.items.map((i: { id: string }) => i.id).sort(), [...posted].sort());
      const md = await fetch(`${s.url}/v1/analyses/${posted[0]}?format=md`);
      assert.equal(md.status, 200);

      const injected = (st: typeof ddb.stats) => st.injected.throttle + st.injected.server + st.injected.reset;
      assert.ok(injected(ddb.stats) > 5 && injected(s3.stats) > 2, `faults were injected: ${JSON.stringify({ ddb: ddb.stats, s3: s3.stats })}`);
      for (const st of [ddb.stats, s3.stats]) {
        assert.equal(st.gaveUp, 0, 'no call failed for good');
        assert.ok(st.recovered > 0);
      }
      t.diagnostic(
        `${posted.length} analyses complete in ${Date.now() - t0} ms; DynamoDB ${ddb.stats.calls} calls, ${ddb.stats.attempts} attempts, ` +
          `injected ${JSON.stringify(ddb.stats.injected)}, ${ddb.stats.recovered} calls recovered, max ${ddb.stats.maxAttemptsSeen} attempts; ` +
          `S3 ${s3.stats.calls} calls, ${s3.stats.attempts} attempts, injected ${JSON.stringify(s3.stats.injected)}, ${s3.stats.recovered} recovered, max ${s3.stats.maxAttemptsSeen} attempts`,
      );
    } finally {
      ddb.remove();
      s3.remove();
    }
  });
});
