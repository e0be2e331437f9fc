// The repo views against dynalite: listings newest first over GSI1/GSI2 with opaque, checked cursors,
// and baseline pins that take the analysis (and its findings) out of TTL expiry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStores, type TestStores } from '../../test/helpers/stores.js';
import { newId } from '../ids.js';
import { ddbKeys } from './keys.js';
import type { AnalysisRecord } from './ports.js';
import { DynamoRepoStore, type AnalysisSummary } from './repo-store.js';

let stores: TestStores;
let repos: DynamoRepoStore;
const T0 = Date.parse('2025-03-01T12:00:00.000Z');

const seed = (tenant: string, repo: string, branch: string | undefined, at: number) => stores.seedAnalysis(tenant, repo, branch, at, { ci: 'yes' });

const complete = (tenant: string, id: string) => stores.completeAnalysis(tenant, id);

/** Every page of a listing, with the cursors that led to them. */
async function allPages(tenant: string, repo: string, limit: number, branch?: string) {
  const pages: AnalysisSummary[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await repos.listAnalyses(tenant, repo, { limit, ...(branch ? { branch } : {}), ...(cursor ? { cursor } : {}) });
    pages.push(page.items);
    if (page.nextCursor === null) return pages;
    assert.ok(pages.length < 50, 'the listing ends');
    cursor = page.nextCursor;
  }
}

function assertNewestFirst(items: AnalysisSummary[]): void {
  assert.equal(new Set(items.map((i) => i.id)).size, items.length, 'no duplicates');
  for (let i = 1; i < items.length; i++) {
    assert.ok(items[i - 1]!.createdAt > items[i]!.createdAt, `strictly newest first at ${i}`);
  }
}

function forge(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function decode(cursor: string): { v: number; t: string; r: string; b: string | null; k: Record<string, string> } {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
}

describe('DynamoRepoStore', () => {
  const seeded: AnalysisRecord[] = [];
  before(async () => {
    stores = await startTestStores();
    repos = new DynamoRepoStore(stores.db, stores.config.tableName);
    // acme/probe: 45 analyses a second apart, every third on feature/x, the rest on main (30).
    for (let i = 0; i < 45; i++) {
      seeded.push(await seed('t1', 'acme/probe', i % 3 === 0 ? 'feature/x' : 'main', T0 + i * 1000));
    }
    await seed('t1', 'acme/other', 'main', T0 + 500);
    await seed('t2', 'acme/probe', 'main', T0 + 700);
  });
  after(async () => stores?.stop());

  it('pages through 45 analyses 20 at a time: 20, 20, 5, newest first, no duplicates, then no cursor', async () => {
    const pages = await allPages('t1', 'acme/probe', 20);
    assert.deepEqual(pages.map((p) => p.length), [20, 20, 5]);
    const items = pages.flat();
    assertNewestFirst(items);
    assert.deepEqual(items.map((i) => i.id), seeded.map((r) => r.id).reverse());
    const first = items[0]!;
    assert.deepEqual(first, {
      id: seeded[44]!.id,
      repo: 'acme/probe',
      branch: 'main',
      commit: `c${T0 + 44_000}`,
      labels: { ci: 'yes' },
      status: 'pending',
      createdAt: seeded[44]!.createdAt,
    });
  });

  it('ends without an empty page when the last page is full', async () => {
    const pages = await allPages('t1', 'acme/probe', 15, 'main');
    assert.deepEqual(pages.map((p) => p.length), [15, 15]);
    assertNewestFirst(pages.flat());
    assert.ok(pages.flat().every((i) => i.branch === 'main'));
  });

  it('filters by branch with the branch index (names with /)', async () => {
    const pages = await allPages('t1', 'acme/probe', 10, 'feature/x');
    assert.deepEqual(pages.map((p) => p.length), [10, 5]);
    const items = pages.flat();
    assertNewestFirst(items);
    assert.deepEqual(
      items.map((i) => i.id),
      seeded.filter((r) => r.branch === 'feature/x').map((r) => r.id).reverse(),
    );
    assert.deepEqual((await repos.listAnalyses('t1', 'acme/probe', { limit: 5, branch: 'nope' })).items, []);
  });

  it('keeps tenants and repos apart', async () => {
    const other = await repos.listAnalyses('t2', 'acme/probe', { limit: 100 });
    assert.equal(other.items.length, 1);
    assert.equal(other.nextCursor, null);
    assert.deepEqual(await repos.listAnalyses('t3', 'acme/probe', { limit: 100 }), { items: [], nextCursor: null });
    const sibling = await repos.listAnalyses('t1', 'acme/other', { limit: 100 });
    assert.deepEqual(sibling.items.map((i) => i.repo), ['acme/other']);
  });

  it('rejects limits outside 1..100', async () => {
    for (const limit of [0, 101, -1, 1.5, Number.NaN]) {
      await assert.rejects(repos.listAnalyses('t1', 'acme/probe', { limit }), { code: 'invalid_request' }, String(limit));
    }
    assert.equal((await repos.listAnalyses('t1', 'acme/probe', { limit: 100 })).items.length, 45);
    assert.equal((await repos.listAnalyses('t1', 'acme/probe', { limit: 1 })).items.length, 1);
  });

  it('rejects tampered cursors and cursors of another listing as invalid requests', async () => {
    const { nextCursor } = await repos.listAnalyses('t1', 'acme/probe', { limit: 20 });
    assert.ok(nextCursor);
    const good = decode(nextCursor);
    assert.deepEqual(Object.keys(good.k).sort(), ['GSI1PK', 'GSI1SK', 'PK', 'SK']);
    const bad = [
      'not a cursor!',
      'AAAA',
      nextCursor.slice(0, -3),
      'x'.repeat(5000),
      forge({ ...good, v: 2 }),
      forge({ ...good, extra: 1 }),
      forge({ ...good, k: { ...good.k, GSI1PK: 'T#t1#R#acme/other' } }),
      forge({ ...good, k: { ...good.k, PK: 'T#t2#A#' + good.k.PK!.split('#A#')[1] } }),
      forge({ ...good, k: { ...good.k, SK: 'F#x' } }),
      forge({ ...good, k: { ...good.k, GSI2PK: 'T#t1#R#acme/probe#B#main' } }),
      forge({ ...good, k: { PK: good.k.PK } }),
      forge([1, 2]),
    ];
    for (const cursor of bad) {
      await assert.rejects(repos.listAnalyses('t1', 'acme/probe', { limit: 20, cursor }), { code: 'invalid_request' }, cursor);
    }
    // Well-formed, but another listing's: another repo, a branch listing, another tenant.
    const mismatch = /another listing/;
    await assert.rejects(repos.listAnalyses('t1', 'acme/other', { limit: 20, cursor: nextCursor }), { code: 'invalid_request', message: mismatch });
    await assert.rejects(repos.listAnalyses('t1', 'acme/probe', { limit: 20, branch: 'main', cursor: nextCursor }), {
      code: 'invalid_request',
      message: mismatch,
    });
    await assert.rejects(repos.listAnalyses('t2', 'acme/probe', { limit: 20, cursor: nextCursor }), { code: 'invalid_request' });
    const branchCursor = (await repos.listAnalyses('t1', 'acme/probe', { limit: 5, branch: 'main' })).nextCursor!;
    await assert.rejects(repos.listAnalyses('t1', 'acme/probe', { limit: 5, branch: 'feature/x', cursor: branchCursor }), {
      code: 'invalid_request',
      message: mismatch,
    });
    await assert.rejects(repos.listAnalyses('t1', 'acme/probe', { limit: 5, cursor: branchCursor }), { code: 'invalid_request' });
  });

  it('lists summaries only: no result, finding counts when the item has them', async () => {
    const r = await seed('t1', 'acme/summary', 'main', T0);
    await complete('t1', r.id);
    await stores.db.send(
      new UpdateCommand({
        TableName: stores.config.tableName,
        Key: ddbKeys.analysis('t1', r.id),
        UpdateExpression: 'SET findingCounts = :c',
        ExpressionAttributeValues: { ':c': { error: 1, warning: 2, info: 0 } },
      }),
    );
    const failed = await seed('t1', 'acme/summary', 'main', T0 + 1000);
    await stores.analyses.fail('t1', failed.id, 'the archive is empty', new Date(T0 + 2000).toISOString());
    const { items } = await repos.listAnalyses('t1', 'acme/summary', { limit: 10 });
    assert.deepEqual(items.map((i) => i.status), ['failed', 'complete']);
    assert.equal(items[0]!.error, 'the archive is empty');
    assert.equal(items[0]!.findingCounts, undefined);
    assert.deepEqual(items[1]!.findingCounts, { error: 1, warning: 2, info: 0 });
    assert.ok(items[1]!.completedAt);
    for (const item of items) {
      assert.deepEqual(
        Object.keys(item).filter((k) => !['id', 'repo', 'branch', 'commit', 'labels', 'status', 'createdAt', 'completedAt', 'error', 'findingCounts'].includes(k)),
        [],
      );
    }
  });

  describe('baselines', () => {
    const table = () => stores.config.tableName;
    const expiresAt = Math.floor(T0 / 1000) + 86_400;

    async function withTtl(tenant: string, id: string, findings: number): Promise<void> {
      await stores.db.send(
        new UpdateCommand({
          TableName: table(),
          Key: ddbKeys.analysis(tenant, id),
          UpdateExpression: 'SET expiresAt = :e',
          ExpressionAttributeValues: { ':e': expiresAt },
        }),
      );
      for (let f = 0; f < findings; f++) {
        await stores.db.send(
          new PutCommand({
            TableName: table(),
            Item: { ...ddbKeys.finding(tenant, id, `GC00${f}`), severity: 'warning', expiresAt },
          }),
        );
      }
    }

    async function item(key: { PK: string; SK: string }) {
      return (await stores.db.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }))).Item;
    }
    /** An unpinned analysis expires a week after its creation (the policy the API passes is tested in test/repos.test.ts). */
    const WEEK = 7 * 86_400;
    const release = { expiresAtOnceUnpinned: (createdAt: string) => Math.floor(Date.parse(createdAt) / 1000) + WEEK };
    async function ttlsOf(tenant: string, id: string): Promise<Record<string, unknown>> {
      const out: Record<string, unknown> = { A: (await item(ddbKeys.analysis(tenant, id)))?.expiresAt };
      for (const f of ['GC000', 'GC001', 'GC002', 'NOTTL']) {
        const it = await item(ddbKeys.finding(tenant, id, f));
        if (it) out[f] = it.expiresAt;
      }
      return out;
    }

    it('pins a complete analysis and takes it and its findings out of TTL expiry', async () => {
      const r = await seed('t1', 'acme/base', 'main', T0);
      await complete('t1', r.id);
      await withTtl('t1', r.id, 3);
      await stores.db.send(new PutCommand({ TableName: table(), Item: { ...ddbKeys.finding('t1', r.id, 'NOTTL'), severity: 'info' } }));
      const bystander = await seed('t1', 'acme/base', 'main', T0 + 1000);
      await withTtl('t1', bystander.id, 1);

      assert.equal(await repos.getBaseline('t1', 'acme/base', 'main'), undefined);
      const pinnedAt = new Date(T0 + 5000).toISOString();
      assert.deepEqual(await repos.pinBaseline('t1', 'acme/base', 'main', r.id, pinnedAt, release), {
        repo: 'acme/base',
        branch: 'main',
        analysisId: r.id,
        pinnedAt,
      });
      assert.deepEqual(await repos.getBaseline('t1', 'acme/base', 'main'), { repo: 'acme/base', branch: 'main', analysisId: r.id, pinnedAt });
      const pointer = await item(ddbKeys.baseline('t1', 'acme/base', 'main'));
      assert.deepEqual(pointer, { ...ddbKeys.baseline('t1', 'acme/base', 'main'), analysisId: r.id, pinnedAt });

      const analysis = await item(ddbKeys.analysis('t1', r.id));
      assert.equal(analysis?.status, 'complete');
      assert.equal(analysis?.expiresAt, undefined);
      for (const f of ['GC000', 'GC001', 'GC002', 'NOTTL']) {
        const finding = await item(ddbKeys.finding('t1', r.id, f));
        assert.equal(finding?.severity, f === 'NOTTL' ? 'info' : 'warning');
        assert.equal(finding?.expiresAt, undefined, f);
      }
      // Other analyses keep theirs.
      assert.equal((await item(ddbKeys.analysis('t1', bystander.id)))?.expiresAt, expiresAt);
      assert.equal((await item(ddbKeys.finding('t1', bystander.id, 'GC000')))?.expiresAt, expiresAt);

      // Re-pinning moves the pointer, and the analysis it replaced expires again, findings and all.
      await complete('t1', bystander.id);
      await repos.pinBaseline('t1', 'acme/base', 'main', bystander.id, pinnedAt, release);
      assert.equal((await repos.getBaseline('t1', 'acme/base', 'main'))?.analysisId, bystander.id);
      const week = Math.floor(T0 / 1000) + WEEK;
      assert.deepEqual(await ttlsOf('t1', r.id), { A: week, GC000: week, GC001: week, GC002: week, NOTTL: week });
      assert.deepEqual(await ttlsOf('t1', bystander.id), { A: undefined });
      // Pinned again (on another branch: one with / is its own pointer): no TTL again.
      await repos.pinBaseline('t1', 'acme/base', 'feature/x', r.id, pinnedAt, release);
      assert.equal((await repos.getBaseline('t1', 'acme/base', 'feature/x'))?.analysisId, r.id);
      assert.deepEqual(await ttlsOf('t1', r.id), { A: undefined, GC000: undefined, GC001: undefined, GC002: undefined, NOTTL: undefined });
      // Still pinned by feature/x when main moves off it: it keeps no TTL.
      await repos.pinBaseline('t1', 'acme/base', 'main', r.id, pinnedAt, release);
      assert.deepEqual(await ttlsOf('t1', bystander.id), { A: Math.floor((T0 + 1000) / 1000) + WEEK });
      await repos.pinBaseline('t1', 'acme/base', 'main', bystander.id, pinnedAt, release);
      assert.deepEqual(await ttlsOf('t1', r.id), { A: undefined, GC000: undefined, GC001: undefined, GC002: undefined, NOTTL: undefined });
      // Pinning the same analysis again changes nothing.
      await repos.pinBaseline('t1', 'acme/base', 'main', bystander.id, pinnedAt, release);
      assert.deepEqual(await ttlsOf('t1', bystander.id), { A: undefined });
      assert.equal(await repos.getBaseline('t2', 'acme/base', 'main'), undefined);
    });

    it('refuses unknown analyses, another repo, another tenant and analyses that are not complete', async () => {
      const r = await seed('t1', 'acme/pins', 'main', T0);
      await complete('t1', r.id);
      const pending = await seed('t1', 'acme/pins', 'main', T0 + 1000);
      const pinnedAt = new Date().toISOString();
      await assert.rejects(repos.pinBaseline('t1', 'acme/pins', 'main', newId(), pinnedAt, release), { code: 'not_found' });
      await assert.rejects(repos.pinBaseline('t2', 'acme/pins', 'main', r.id, pinnedAt, release), { code: 'not_found' });
      await assert.rejects(repos.pinBaseline('t1', 'acme/other', 'main', r.id, pinnedAt, release), {
        code: 'conflict',
        message: `analysis ${r.id} belongs to repo acme/pins, not acme/other`,
      });
      await assert.rejects(repos.pinBaseline('t1', 'acme/pins', 'main', pending.id, pinnedAt, release), {
        code: 'conflict',
        message: /is pending; only a complete analysis can be a baseline/,
      });
      assert.equal(await repos.getBaseline('t1', 'acme/pins', 'main'), undefined);
      assert.equal(await repos.getBaseline('t1', 'acme/other', 'main'), undefined);
    });
  });
});
