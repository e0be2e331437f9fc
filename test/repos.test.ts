// The per-repo routes over app.request() against dynalite: listings newest first with opaque cursors,
// baseline pins and reads, repos and branches with `/` both percent-encoded and raw.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import type { AppEnv } from '../shared/api/deps.js';
import { notFound, onError } from '../shared/api/errors.js';
import { reposRoutes } from '../shared/api/routes/repos.js';
import { newId } from '../shared/ids.js';
import { silentLogger } from '../shared/logger.js';
import { ddbKeys } from '../shared/storage/keys.js';
import type { AnalysisRecord } from '../shared/storage/ports.js';
import { DynamoRepoStore } from '../shared/storage/repo-store.js';
import { startTestStores, type TestStores } from './helpers/stores.js';

let stores: TestStores;
let app: Hono<AppEnv>;
const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const PINNED_AT = '2025-03-02T08:00:00.000Z';
const RETENTION_DAYS = 30;

interface Item {
  id: string;
  repo: string;
  branch?: string;
  commit?: string;
  labels: Record<string, string>;
  status: string;
  createdAt: string;
  completedAt?: string;
  findings?: Record<string, number>;
  reportUrl: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

/** The routes as createApp mounts them, with the tenant from `x-tenant` (the API keys' job later). */
function buildApp(repos: DynamoRepoStore): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  a.use(async (c, next) => {
    c.set('tenant', c.req.header('x-tenant') ?? 'local');
    await next();
  });
  a.route('/v1/repos', reposRoutes({ repos, now: () => new Date(PINNED_AT), retentionDays: RETENTION_DAYS }));
  a.notFound(notFound);
  a.onError(onError(silentLogger));
  return a;
}

const seed = (tenant: string, repo: string, branch: string, at: number) => stores.seedAnalysis(tenant, repo, branch, at);

const complete = (tenant: string, id: string) => stores.completeAnalysis(tenant, id);

async function getJson<T>(path: string, tenant = 'local'): Promise<{ status: number; body: T }> {
  const res = await app.request(path, { headers: { 'x-tenant': tenant } });
  return { status: res.status, body: (await res.json()) as T };
}

async function put(path: string, body: unknown, tenant = 'local') {
  const res = await app.request(path, {
    method: 'PUT',
    headers: { 'x-tenant': tenant, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

async function allPages(path: string): Promise<Page[]> {
  const pages: Page[] = [];
  let url = path;
  for (;;) {
    const { status, body } = await getJson<Page>(url);
    assert.equal(status, 200, JSON.stringify(body));
    pages.push(body);
    if (body.nextCursor === null) return pages;
    assert.ok(pages.length < 20);
    url = `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(body.nextCursor)}`;
  }
}

describe('/v1/repos', () => {
  const seeded: AnalysisRecord[] = [];
  before(async () => {
    stores = await startTestStores();
    app = buildApp(new DynamoRepoStore(stores.db, stores.config.tableName));
    for (let i = 0; i < 45; i++) seeded.push(await seed('local', 'acme/probe', i % 5 === 0 ? 'feature/x' : 'main', T0 + i * 1000));
    await seed('local', 'acme/other', 'main', T0);
  });
  after(async () => stores?.stop());

  it('lists 45 analyses in pages of 20, 20 and 5, newest first, from the encoded and the raw repo path', async () => {
    for (const path of ['/v1/repos/acme%2Fprobe/analyses', '/v1/repos/acme/probe/analyses']) {
      const pages = await allPages(`${path}?limit=20`);
      assert.deepEqual(pages.map((p) => p.items.length), [20, 20, 5], path);
      const items = pages.flatMap((p) => p.items);
      assert.deepEqual(items.map((i) => i.id), seeded.map((r) => r.id).reverse(), path);
      assert.equal(new Set(items.map((i) => i.id)).size, 45);
      for (let i = 1; i < items.length; i++) assert.ok(items[i - 1]!.createdAt > items[i]!.createdAt);
      assert.deepEqual(items[0], {
        id: seeded[44]!.id,
        repo: 'acme/probe',
        branch: 'main',
        commit: `c${T0 + 44_000}`,
        labels: {},
        status: 'pending',
        createdAt: seeded[44]!.createdAt,
        reportUrl: `http://localhost/v1/analyses/${seeded[44]!.id}`,
      });
    }
    // The default page is 20.
    const { body } = await getJson<Page>('/v1/repos/acme/probe/analyses');
    assert.equal(body.items.length, 20);
    assert.equal(typeof body.nextCursor, 'string');
  });

  it('filters by branch, encoded or raw in the query', async () => {
    const expected = seeded.filter((r) => r.branch === 'feature/x').map((r) => r.id).reverse();
    for (const q of ['branch=feature%2Fx', 'branch=feature/x']) {
      const pages = await allPages(`/v1/repos/acme%2Fprobe/analyses?${q}&limit=4`);
      assert.deepEqual(pages.map((p) => p.items.length), [4, 4, 1]);
      assert.deepEqual(pages.flatMap((p) => p.items.map((i) => i.id)), expected);
    }
    const none = await getJson<Page>('/v1/repos/acme/probe/analyses?branch=nope');
    assert.deepEqual(none.body, { items: [], nextCursor: null });
  });

  it('shows another tenant nothing', async () => {
    const { status, body } = await getJson<Page>('/v1/repos/acme%2Fprobe/analyses?limit=100', 'someone-else');
    assert.equal(status, 200);
    assert.deepEqual(body, { items: [], nextCursor: null });
  });

  it('answers 400 for limits outside 1..100, tampered cursors and cursors of another listing', async () => {
    for (const limit of ['0', '101', '-1', 'abc', '1.5', '', '1e2']) {
      const { status, body } = await getJson<{ error: { code: string; message: string } }>(
        `/v1/repos/acme/probe/analyses?limit=${limit}`,
      );
      assert.equal(status, 400, limit);
      assert.equal(body.error.code, 'invalid_request');
      assert.match(body.error.message, /limit must be an integer from 1 to 100/);
    }
    assert.equal((await getJson<Page>('/v1/repos/acme/probe/analyses?limit=100')).body.items.length, 45);
    assert.equal((await getJson<Page>('/v1/repos/acme/probe/analyses?limit=1')).body.items.length, 1);

    const { body: first } = await getJson<Page>('/v1/repos/acme/probe/analyses?limit=20');
    const cursor = first.nextCursor!;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const tampered = [
      'garbage',
      cursor.slice(1),
      Buffer.from(JSON.stringify({ ...decoded, k: { ...decoded.k, GSI1PK: 'T#other#R#acme/probe' } })).toString('base64url'),
      Buffer.from('{"v":1').toString('base64url'),
    ];
    for (const c of tampered) {
      const res = await getJson<{ error: { code: string; message: string } }>(
        `/v1/repos/acme/probe/analyses?cursor=${encodeURIComponent(c)}`,
      );
      assert.equal(res.status, 400, c);
      assert.equal(res.body.error.code, 'invalid_request');
      assert.match(res.body.error.message, /cursor is not valid/);
    }
    for (const path of [
      `/v1/repos/acme/other/analyses?cursor=${cursor}`,
      `/v1/repos/acme/probe/analyses?branch=main&cursor=${cursor}`,
    ]) {
      const res = await getJson<{ error: { code: string; message: string } }>(path);
      assert.equal(res.status, 400, path);
      assert.match(res.body.error.message, /cursor belongs to another listing/);
    }
    assert.equal((await getJson(`/v1/repos/acme/probe/analyses?cursor=${cursor}`, 'someone-else')).status, 400);
  });

  it('answers 400 for a repo that is not owner/name or broken percent-encoding, 404 for other paths', async () => {
    assert.equal((await getJson('/v1/repos/acme%20probe/analyses')).status, 400);
    assert.equal((await getJson('/v1/repos/acme%E0%A4%A/analyses')).status, 400);
    assert.equal((await getJson('/v1/repos/acme/probe/nothing')).status, 404);
    assert.equal((await getJson('/v1/repos/analyses')).status, 404);
    assert.equal((await getJson('/v1/repos/acme/probe/baselines')).status, 404);
  });

  it('shows finding counts when the analysis has them', async () => {
    const r = await seed('local', 'acme/counts', 'main', T0);
    await complete('local', r.id);
    await stores.db.send(
      new UpdateCommand({
        TableName: stores.config.tableName,
        Key: ddbKeys.analysis('local', r.id),
        UpdateExpression: 'SET findingCounts = :c',
        ExpressionAttributeValues: { ':c': { error: 0, warning: 3, info: 1 } },
      }),
    );
    const { body } = await getJson<Page>('/v1/repos/acme/counts/analyses');
    assert.equal(body.items[0]!.status, 'complete');
    assert.ok(body.items[0]!.completedAt);
    assert.deepEqual(body.items[0]!.findings, { error: 0, warning: 3, info: 1 });
  });

  describe('baselines', () => {
    const table = () => stores.config.tableName;
    const expiresAt = Math.floor(T0 / 1000) + 3600;
    const read = async (key: { PK: string; SK: string }) =>
      (await stores.db.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }))).Item;

    it('pins by the encoded path, reads by both, and clears the TTL of the analysis and its findings', async () => {
      const r = await seed('local', 'acme/base', 'feature/x', T0);
      await complete('local', r.id);
      await stores.db.send(
        new UpdateCommand({
          TableName: table(),
          Key: ddbKeys.analysis('local', r.id),
          UpdateExpression: 'SET expiresAt = :e',
          ExpressionAttributeValues: { ':e': expiresAt },
        }),
      );
      for (const f of ['GC001', 'ESC002']) {
        await stores.db.send(new PutCommand({ TableName: table(), Item: { ...ddbKeys.finding('local', r.id, f), expiresAt } }));
      }

      assert.equal((await getJson('/v1/repos/acme/base/baselines/feature/x')).status, 404);
      const pinned = await put('/v1/repos/acme%2Fbase/baselines/feature%2Fx', { analysisId: r.id });
      assert.equal(pinned.status, 200, JSON.stringify(pinned.body));
      const expected = { repo: 'acme/base', branch: 'feature/x', analysisId: r.id, pinnedAt: PINNED_AT };
      assert.deepEqual(pinned.body, expected);
      for (const path of [
        '/v1/repos/acme%2Fbase/baselines/feature%2Fx',
        '/v1/repos/acme/base/baselines/feature/x',
        '/v1/repos/acme%2Fbase/baselines/feature/x',
      ]) {
        assert.deepEqual(await getJson(path), { status: 200, body: expected }, path);
      }
      assert.equal((await read(ddbKeys.analysis('local', r.id)))?.expiresAt, undefined);
      for (const f of ['GC001', 'ESC002']) assert.equal((await read(ddbKeys.finding('local', r.id, f)))?.expiresAt, undefined);

      // Another branch, another tenant: no baseline there.
      assert.equal((await getJson('/v1/repos/acme/base/baselines/main')).status, 404);
      assert.equal((await getJson('/v1/repos/acme/base/baselines/feature/x', 'someone-else')).status, 404);
    });

    it('a re-pin gives the replaced baseline its TTL back: created + retention, but at least a day after the re-pin', async () => {
      const old = await seed('local', 'acme/ttl', 'main', T0);
      const ancient = await seed('local', 'acme/ttl', 'main', T0 - 40 * 86_400_000); // past its 30 days
      const next = await seed('local', 'acme/ttl', 'main', T0 + 1000);
      for (const r of [old, ancient, next]) await complete('local', r.id);
      await stores.db.send(new PutCommand({ TableName: table(), Item: { ...ddbKeys.finding('local', old.id, 'GC001'), severity: 'warning' } }));

      assert.equal((await put('/v1/repos/acme/ttl/baselines/main', { analysisId: old.id })).status, 200);
      assert.equal((await read(ddbKeys.analysis('local', old.id)))?.expiresAt, undefined);
      assert.equal((await put('/v1/repos/acme/ttl/baselines/main', { analysisId: ancient.id })).status, 200);
      const retained = Math.floor(T0 / 1000) + RETENTION_DAYS * 86_400;
      assert.equal((await read(ddbKeys.analysis('local', old.id)))?.expiresAt, retained);
      assert.equal((await read(ddbKeys.finding('local', old.id, 'GC001')))?.expiresAt, retained);
      assert.equal((await put('/v1/repos/acme/ttl/baselines/main', { analysisId: next.id })).status, 200);
      assert.equal((await read(ddbKeys.analysis('local', ancient.id)))?.expiresAt, Date.parse(PINNED_AT) / 1000 + 86_400);
      assert.equal((await read(ddbKeys.analysis('local', next.id)))?.expiresAt, undefined);
    });

    it('pins by the raw path', async () => {
      const r = await seed('local', 'acme/raw', 'release/1.2', T0);
      await complete('local', r.id);
      const pinned = await put('/v1/repos/acme/raw/baselines/release/1.2', { analysisId: r.id });
      assert.equal(pinned.status, 200);
      assert.deepEqual(pinned.body, { repo: 'acme/raw', branch: 'release/1.2', analysisId: r.id, pinnedAt: PINNED_AT });
      assert.equal((await getJson('/v1/repos/acme%2Fraw/baselines/release%2F1.2')).status, 200);
    });

    it('refuses other repos (409), incomplete analyses (409), unknown ids (404) and bad bodies (400)', async () => {
      const r = await seed('local', 'acme/mine', 'main', T0);
      await complete('local', r.id);
      const pending = await seed('local', 'acme/mine', 'main', T0 + 1);

      const otherRepo = await put('/v1/repos/acme%2Ftheirs/baselines/main', { analysisId: r.id });
      assert.equal(otherRepo.status, 409);
      assert.equal(otherRepo.body.error?.code, 'conflict');
      assert.equal(otherRepo.body.error?.message, `analysis ${r.id} belongs to repo acme/mine, not acme/theirs`);

      const notDone = await put('/v1/repos/acme/mine/baselines/main', { analysisId: pending.id });
      assert.equal(notDone.status, 409);
      assert.match(notDone.body.error!.message, /is pending; only a complete analysis can be a baseline/);

      const unknown = await put('/v1/repos/acme/mine/baselines/main', { analysisId: newId() });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error?.code, 'not_found');
      assert.equal((await put('/v1/repos/acme/mine/baselines/main', { analysisId: r.id }, 'someone-else')).status, 404);

      for (const body of ['not json', {}, { analysisId: 'nope' }, { analysisId: 42 }]) {
        const res = await put('/v1/repos/acme/mine/baselines/main', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error?.code, 'invalid_request');
      }
      assert.equal((await put('/v1/repos/acme/mine/analyses', { analysisId: r.id })).status, 404);
      assert.equal((await getJson('/v1/repos/acme/mine/baselines/main')).status, 404);
    });
  });
});
