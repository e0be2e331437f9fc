// Who may do what, over real HTTP against the local service: every route refused without a key, with
// another tenant's key, and without the scope it needs — leaking nothing; share links that open a
// report with no key and refuse forged, tampered and expired tokens; comparison with the CI gate.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHandler } from '../functions/analyzer/handler.js';
import { signShareToken } from '../shared/auth/share-tokens.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService, type LocalService } from '../shared/local/service.js';
import type { Report } from '../shared/model/report.js';
import { untilFinal } from './helpers/http.js';
import { boxedArchive, STRUCT_ARCHIVE } from './helpers/samples.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-access-'));
let s: LocalService;
const keys: Record<string, string> = {};
let boxedId = '';
let structId = '';
let pendingUploadId = '';

async function call(method: string, path: string, key: string | undefined, body?: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    ...(body !== undefined ? { body } : {}),
    headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  const text = await res.text();
  return { status: res.status, text, json: (() => { try { return JSON.parse(text); } catch { return undefined; } })() };
}

function waitComplete(id: string): Promise<Report> {
  return untilFinal(async () => (await call('GET', `/v1/analyses/${id}`, keys.admin)).json as Report, `analysis ${id}`, { timeoutMs: 30_000 });
}

before(async () => {
  s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });
  keys.admin = s.token;
  const now = new Date().toISOString();
  keys.reader = (await s.stores.keys.create('local', ['read'], 'reader', now)).key;
  keys.ingester = (await s.stores.keys.create('local', ['ingest'], 'ci', now)).key;
  keys.other = (await s.stores.keys.create('other', ['admin'], 'another tenant', now)).key;
  const revoked = await s.stores.keys.create('local', ['admin'], 'gone', now);
  await s.stores.keys.revoke(revoked.info.keyId, now);
  keys.revoked = revoked.key;

  boxedId = (await call('POST', '/v1/analyses?repo=acme/map&branch=main&commit=b1', keys.ingester, boxedArchive())).json.id;
  structId = (await call('POST', '/v1/analyses?repo=acme/map&branch=feature&commit=s1', keys.ingester, readFileSync(STRUCT_ARCHIVE))).json.id;
  await waitComplete(boxedId);
  await waitComplete(structId);
  pendingUploadId = (await call('POST', '/v1/uploads', keys.ingester, JSON.stringify({ repo: 'acme/map', sizeBytes: 1000 }), { 'content-type': 'application/json' })).json.id;
});
after(async () => {
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every authenticated route, with the scope it needs and a request that would succeed with it. */
function routes(): Array<{ method: string; path: string; scope: 'read' | 'ingest' | 'admin'; body?: string; contentType?: string }> {
  return [
    { method: 'POST', path: '/v1/analyses?repo=acme/map', scope: 'ingest', body: 'gc 1 @0.01s 0%: 0.1+1+0.1 ms clock, 0.1+0/0.1/0+0.1 ms cpu, 4->4->1 MB, 5 MB goal, 2 P\n' },
    { method: 'GET', path: `/v1/analyses/${boxedId}`, scope: 'read' },
    { method: 'GET', path: `/v1/analyses/${boxedId}?format=md`, scope: 'read' },
    { method: 'GET', path: `/v1/analyses/${boxedId}?format=folded`, scope: 'read' },
    { method: 'GET', path: `/v1/analyses/${boxedId}/compare?base=${structId}`, scope: 'read' },
    { method: 'POST', path: `/v1/analyses/${boxedId}/share`, scope: 'read' },
    { method: 'POST', path: `/v1/analyses/${structId}/reanalyze`, scope: 'ingest' },
    { method: 'POST', path: '/v1/uploads', scope: 'ingest', body: JSON.stringify({ sizeBytes: 10 }), contentType: 'application/json' },
    { method: 'POST', path: `/v1/uploads/${pendingUploadId}/complete`, scope: 'ingest', body: JSON.stringify({ parts: [{ partNumber: 1, etag: 'x' }] }), contentType: 'application/json' },
    { method: 'DELETE', path: `/v1/uploads/${pendingUploadId}`, scope: 'ingest' },
    { method: 'GET', path: '/v1/repos/acme/map/analyses', scope: 'read' },
    { method: 'GET', path: '/v1/repos/acme/map/baselines/main', scope: 'read' },
    { method: 'PUT', path: '/v1/repos/acme/map/baselines/main', scope: 'ingest', body: JSON.stringify({ analysisId: boxedId }), contentType: 'application/json' },
    { method: 'GET', path: '/v1/repos/acme/map/gate', scope: 'read' },
    { method: 'PUT', path: '/v1/repos/acme/map/gate', scope: 'admin', body: JSON.stringify({ maxNewSiteBytes: 2097152 }), contentType: 'application/json' },
  ];
}

describe('access control', () => {
  it('every route: 401 without a key, with a malformed or revoked key; nothing but the error body', async () => {
    for (const r of routes()) {
      for (const key of [undefined, 'Bearer', 'tlk_aaaaaaaaaaaa_' + 'A'.repeat(43), keys.revoked]) {
        const out = await call(r.method, r.path, key, r.body, r.contentType ? { 'content-type': r.contentType } : {});
        assert.equal(out.status, 401, `${r.method} ${r.path} with ${key?.slice(0, 8)}: ${out.text}`);
        assert.deepEqual(Object.keys(out.json.error).sort(), ['code', 'message']);
        assert.equal(out.json.error.code, 'unauthorized');
        assert.deepEqual(Object.keys(out.json), ['error'], 'nothing but the error body');
        assert.ok(!out.text.includes(boxedId) && !out.text.includes('escapeSites') && !out.text.includes('"findings"'), out.text);
        assert.ok(!/at .*\.ts:\d+/.test(out.text), 'no stack trace');
      }
    }
  });

  it('every route: 403 without its scope', async () => {
    for (const r of routes()) {
      const lacking = r.scope === 'read' ? keys.ingester : r.scope === 'ingest' ? keys.reader : keys.ingester;
      const out = await call(r.method, r.path, lacking, r.body, r.contentType ? { 'content-type': r.contentType } : {});
      assert.equal(out.status, 403, `${r.method} ${r.path}: ${out.text}`);
      assert.equal(out.json.error.code, 'forbidden');
      assert.ok(!out.text.includes('escapeSites') && !out.text.includes('"findings"'));
    }
  });

  it("another tenant's key sees none of this tenant's analyses, uploads or repos", async () => {
    for (const r of routes()) {
      if (r.method === 'POST' && (r.path.startsWith('/v1/analyses?') || r.path === '/v1/uploads')) continue; // creates in its own tenant
      const out = await call(r.method, r.path, keys.other, r.body, r.contentType ? { 'content-type': r.contentType } : {});
      if (r.path.startsWith('/v1/repos/acme/map/analyses')) {
        assert.equal(out.status, 200);
        assert.deepEqual(out.json.items, [], 'an empty listing: the repo name is per tenant');
        continue;
      }
      if (r.path.endsWith('/gate')) {
        assert.ok(out.status === 200 || out.status === 400, `${r.method} ${r.path}: ${out.status}`);
        assert.ok(!out.text.includes('2097152') || r.method === 'PUT', 'the other tenant does not see this tenant’s gate');
        continue;
      }
      assert.equal(out.status, 404, `${r.method} ${r.path}: ${out.status} ${out.text}`);
      // Only what the caller sent comes back (ids, names in the path): no data of this tenant.
      assert.ok(!out.text.includes('escapeSites') && !out.text.includes('"status"') && !out.text.includes('pinnedAt'), out.text);
    }
  });

  it('health, docs and share links need no key', async () => {
    assert.equal((await call('GET', '/healthz', undefined)).status, 200);
  });
});

describe('share links', () => {
  it('opens the report with no key, in every format; forged, tampered and expired tokens are refused', async () => {
    const made = await call('POST', `/v1/analyses/${boxedId}/share`, keys.reader, JSON.stringify({ expiresInSeconds: 3600 }), { 'content-type': 'application/json' });
    assert.equal(made.status, 201);
    const url = new URL(made.json.url);
    assert.ok(Date.parse(made.json.expiresAt) > Date.now());
    const open = await call('GET', url.pathname, undefined);
    assert.equal(open.status, 200);
    assert.equal(open.json.id, boxedId);
    const md = await call('GET', `${url.pathname}?format=md`, undefined);
    assert.match(md.text, /^## TraceLens report/);
    const slack = await call('GET', `${url.pathname}?format=slack`, undefined);
    assert.ok(Array.isArray(slack.json.blocks) && slack.json.blocks.length <= 50);
    assert.ok(slack.text.includes(url.pathname), 'the Slack message links back to the share link');
    const sarif = await call('GET', `${url.pathname}?format=sarif`, undefined);
    assert.equal(sarif.json.version, '2.1.0');
    assert.ok(sarif.json.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'ESC001'));
    const token = url.pathname.split('/').pop()!;
    const [payload, mac] = token.split('.');
    const refused = [
      `${payload}.${'A'.repeat(43)}`, // forged MAC
      `${Buffer.from(JSON.stringify({ v: 1, t: 'local', a: structId, e: 4e9 })).toString('base64url')}.${mac}`, // tampered payload
      signShareToken({ tenant: 'local', analysisId: boxedId, expiresAt: 4e9 }, 'not-the-secret-at-all'), // wrong secret
      signShareToken({ tenant: 'local', analysisId: boxedId, expiresAt: Math.floor(Date.now() / 1000) - 1 }, readFileSync(join(dataDir, 'share-secret'), 'utf8').trim()), // expired
      'garbage',
    ];
    for (const t of refused) {
      const out = await call('GET', `/v1/share/${t}`, undefined);
      assert.equal(out.status, 404, t);
      assert.ok(!out.text.includes('escapeSites'));
    }
    // A share link is read-only: nothing else is reachable with it.
    assert.equal((await call('POST', `/v1/share/${token}`, undefined)).status, 404);
  });
});

describe('compare with the CI gate', () => {
  it('struct against boxed as base: main.go:23 gone or shrunk, pass; boxed against struct: ESC003 at main.go:23, fail', async () => {
    const better = await call('GET', `/v1/analyses/${structId}/compare?base=${boxedId}`, keys.reader);
    assert.equal(better.status, 200, better.text);
    const s23 = better.json.sites.find((d: { file: string; line: number }) => d.file.endsWith('main.go') && d.line === 23);
    assert.ok(s23 && (s23.status === 'gone' || s23.status === 'shrunk'), JSON.stringify(s23));
    assert.equal(better.json.gate.verdict, 'pass', better.json.gate.reasons.join('; '));

    const worse = await call('GET', `/v1/analyses/${boxedId}/compare?base=branch:feature`, keys.reader);
    assert.equal(worse.status, 200, worse.text);
    assert.equal(worse.json.gate.verdict, 'fail');
    const esc = worse.json.findings.find((f: { rule: string; location?: { line?: number } }) => f.rule === 'ESC003' && f.location?.line === 23);
    assert.ok(esc, JSON.stringify(worse.json.findings.map((f: { rule: string }) => f.rule)));
    assert.ok(worse.json.gate.reasons.some((r: string) => r.includes('main.go:23')));
    const md = await call('GET', `/v1/analyses/${boxedId}/compare?base=${structId}&format=md`, keys.reader);
    assert.match(md.text, /fail/i);
    const badThreshold = await call('GET', `/v1/analyses/${boxedId}/compare?base=${structId}&maxNewSiteBytes=lots`, keys.reader);
    assert.equal(badThreshold.status, 400);
    const noBase = await call('GET', `/v1/analyses/${boxedId}/compare`, keys.reader);
    assert.equal(noBase.status, 400);
  });
});

describe('OpenAPI', () => {
  it('lists every route the app serves, each with its scope; /docs renders it', async () => {
    const { createApp } = await import('../shared/api/app.js');
    const app = createApp({} as never);
    const doc = (await call('GET', '/openapi.json', undefined)).json;
    assert.equal(doc.openapi, '3.1.0');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    for (const route of new Set(served)) {
      // `/*` entries are the scope middleware (app.on), except the repos router's own handlers.
      if (route.endsWith('/*') && !route.includes('/v1/repos/')) continue;
      if (route.endsWith('/v1/repos/*')) {
        const method = route.split(' ')[0]!;
        assert.ok([...documented].some((d) => d.startsWith(`${method} /v1/repos/{repo}/`)), route);
        continue;
      }
      assert.ok(documented.has(route), `${route} is not in /openapi.json`);
    }
    // And each documented operation is served (a request reaches a handler, not the 404 of no route).
    for (const op of documented) {
      const [method, path] = op.split(' ') as [string, string];
      const concrete = path
        .replace('{id}', boxedId)
        .replace('{token}', 'x')
        .replace('{repo}', 'acme%2Fmap')
        .replace('{branch}', 'main');
      const out = await call(method, concrete, keys.admin, method === 'GET' || method === 'DELETE' ? undefined : '{}', { 'content-type': 'application/json' });
      assert.ok(!(out.json?.error?.message ?? '').startsWith('no route'), `${op}: ${out.text.slice(0, 200)}`);
    }
    const scopes = Object.values(doc.paths as Record<string, Record<string, { 'x-scope'?: string; security?: unknown[] }>>).flatMap((ops) => Object.values(ops));
    assert.ok(scopes.every((o) => o['x-scope'] || (Array.isArray(o.security) && o.security.length === 0)));
    const docs = await fetch(`${s.url}/docs`);
    assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await docs.text(), /\/v1\/analyses\/\{id\}\/compare/);
  });
});
