// Security review, as tests (docs/reliability.md): API key secrets are never stored or logged in clear;
// no error response carries a stack trace or an internal message; no CORS; security headers on every
// response; per-key and per-IP rate limits answer 429 with Retry-After; archive entry names are never
// used as file paths.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../functions/analyzer/handler.js';
import { createApp } from '../shared/api/app.js';
import { parseKey } from '../shared/auth/api-keys.js';
import { API_CSP, DOCS_CSP } from '../shared/api/security-headers.js';
import { jsonLogger, REDACTED, silentLogger, textLogger } from '../shared/logger.js';
import { startLocalService, type LocalService } from '../shared/local/service.js';
import { PAGE_CSP } from '../shared/report/html/page.js';
import type { AnalysisStore } from '../shared/storage/ports.js';
import { ROOT } from './helpers/samples.js';
import { startTestStores, type TestStores } from './helpers/stores.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const GCTRACE = 'gc 1 @0.01s 0%: 0.1+1+0.1 ms clock, 0.1+0/0.1/0+0.1 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P\n';
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('API key secrets', () => {
  const lines: string[] = [];
  let s: LocalService;
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-sec-'));
    dirs.push(dataDir);
    s = await startLocalService({ dataDir, port: 0, log: jsonLogger((l) => lines.push(l)), createAnalyzer: createHandler, retryDelayMs: 50 });
  });
  after(async () => {
    await s?.stop();
  });

  it('are stored only hashed and never logged, whatever requests carry them', async () => {
    const made = await Promise.all(
      [['acme', ['ingest', 'read']], ['globex', ['read']]].map(([tenant, scopes]) =>
        s.stores.keys.create(tenant as string, scopes as ['read'], 'security test', new Date().toISOString()),
      ),
    );
    const keys = [s.token, ...made.map((m) => m.key)];
    const secrets = keys.map((k) => k.split('_').slice(2).join('_'));
    for (const sec of secrets) assert.ok(sec.length >= 43);
    const call = (key: string, path: string, init: RequestInit = {}) =>
      fetch(`${s.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });

    // Valid keys, a wrong secret on a real id, a key in the query string, a malformed header; an upload
    // and its analysis (the analyzer logs too); a 404.
    assert.equal((await call(made[0]!.key, '/v1/repos/demo/analyses')).status, 200);
    const tampered = made[0]!.key.slice(0, -4) + 'AAAA';
    assert.equal((await call(tampered, '/v1/repos/demo/analyses')).status, 401);
    assert.equal((await fetch(`${s.url}/v1/repos/demo/analyses?token=${made[1]!.key}`)).status, 401);
    assert.equal((await fetch(`${s.url}/v1/repos/demo/analyses`, { headers: { authorization: made[1]!.key } })).status, 401);
    const post = await call(s.token, '/v1/analyses?repo=demo', { method: 'POST', body: GCTRACE });
    assert.equal(post.status, 202);
    await s.idle();
    assert.equal((await call(s.token, '/v1/analyses/01J00000000000000000000000')).status, 404);
    // Anything that does log a request's headers or a key gets it redacted.
    const log = jsonLogger((l) => lines.push(l));
    log.info(`client sent ${made[0]!.key}`, { headers: { Authorization: `Bearer ${made[1]!.key}` }, url: `/x?token=${tampered}` });
    log.error('auth', { authorization: `Bearer not-even-a-key`, nested: [{ 'X-Api-Key': 'k' }], err: new Error(`bad ${s.token}`) });

    const logged = lines.join('\n');
    assert.ok(lines.length > 3, 'the service did log');
    for (const [i, sec] of [...secrets, tampered.split('_').slice(2).join('_')].entries()) assert.ok(!logged.includes(sec), `secret ${i} in the log`);
    assert.ok(!logged.includes('not-even-a-key'));
    assert.match(logged, new RegExp(`tlk_${made[0]!.info.keyId}_\\[redacted\\]`), 'the public key id stays, for the audit trail');
    assert.ok(logged.includes(`"authorization":"${REDACTED}"`) || logged.includes(`"Authorization":"${REDACTED}"`));

    // Every item in the table, as text: no secret, no whole key; the hash is there instead.
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await s.stores.db.send(new ScanCommand({ TableName: s.config.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const table = JSON.stringify(items);
    assert.ok(table.includes('secretHash'));
    for (const [i, sec] of secrets.entries()) assert.ok(!table.includes(sec), `secret ${i} stored in clear`);
  });

  it('the text logger (npm start) redacts the same way', () => {
    const out: string[] = [];
    textLogger((l) => out.push(l)).warn('x', { authorization: 'Bearer tlk_abcdefghijkm_' + 'S'.repeat(43), note: 'tlk_abcdefghijkm_' + 'S'.repeat(43) });
    assert.ok(!out[0]!.includes('SSSS'));
    assert.match(out[0]!, /note=tlk_abcdefghijkm_\[redacted\]/);
  });
});

describe('responses: no stack traces, no CORS, security headers, rate limits', () => {
  let st: TestStores;
  let key: string;
  let otherKey: string;
  let doneId: string;
  before(async () => {
    st = await startTestStores();
    key = (await st.keys.create('acme', ['admin'], undefined, new Date().toISOString())).key;
    otherKey = (await st.keys.create('acme', ['read'], undefined, new Date().toISOString())).key;
    // One complete analysis to read (the analyzer run directly on the stores).
    const app = appWith();
    const res = await app.request('/v1/analyses?repo=demo', { method: 'POST', body: GCTRACE, headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 202);
    doneId = ((await res.json()) as { id: string }).id;
    const { runAnalysis } = await import('../shared/analyzer/run-analysis.js');
    assert.equal(await runAnalysis({ analyses: st.analyses, archives: st.archives, limits: st.config.limits, log: silentLogger }, 'acme', doneId), 'complete');
  });
  after(async () => {
    await st?.stop();
  });

  function appWith(o: { analyses?: AnalysisStore; rateLimit?: Parameters<typeof createApp>[0]['rateLimit']; log?: ReturnType<typeof jsonLogger> } = {}) {
    return createApp({
      analyses: o.analyses ?? st.analyses,
      archives: st.archives,
      reportBodies: st.archives,
      uploads: st.uploads,
      repos: st.repos,
      keys: st.keys,
      requestKeys: st.requestKeys,
      shareSecrets: ['test-secret'],
      limits: st.config.limits,
      retentionDays: 30,
      log: o.log ?? silentLogger,
      ...(o.rateLimit !== undefined ? { rateLimit: o.rateLimit } : {}),
    });
  }
  const auth = () => ({ authorization: `Bearer ${key}` });

  it('an internal error answers 500 with the SPEC body and a request id — no stack, no message, no path', async () => {
    const logged: string[] = [];
    const failing = new Proxy(st.analyses, {
      get(target, prop, recv) {
        if (prop === 'get') return async () => { throw new Error('ECONNREFUSED 10.0.0.7:8000 in /var/task/shared/storage/dynamo-analysis-store.ts'); };
        return Reflect.get(target, prop, recv);
      },
    });
    const app = appWith({ analyses: failing, log: jsonLogger((l) => logged.push(l)) });
    for (const path of [`/v1/analyses/${doneId}`, `/v1/analyses/${doneId}?format=html`, `/v1/analyses/${doneId}/compare?base=${doneId}`]) {
      const res = await app.request(path, { headers: auth() });
      assert.equal(res.status, 500, path);
      const text = await res.text();
      const body = JSON.parse(text);
      assert.deepEqual(Object.keys(body), ['error']);
      assert.equal(body.error.code, 'internal');
      assert.equal(body.error.message, 'internal error');
      assert.deepEqual(Object.keys(body.error.details), ['requestId']);
      for (const leak of ['ECONNREFUSED', '10.0.0.7', '/var/task', '.ts', '\n    at ', 'stack']) assert.ok(!text.includes(leak), `${path} leaks ${leak}`);
      assert.equal(res.headers.get('content-security-policy'), API_CSP);
    }
    // The operator still gets the cause, under the same request id, without the key.
    assert.match(logged.join('\n'), /ECONNREFUSED/);
    assert.ok(!logged.join('\n').includes(parseKey(key)!.secret));
  });

  it('no CORS: preflights and cross-origin requests get no Access-Control-Allow-* header', async () => {
    const app = appWith();
    const pre = await app.request(`/v1/analyses/${doneId}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.ok(pre.status >= 400, `preflight ${pre.status}`);
    const get = await app.request(`/v1/analyses/${doneId}`, { headers: { ...auth(), origin: 'https://evil.example' } });
    assert.equal(get.status, 200);
    for (const res of [pre, get]) for (const [h] of res.headers) assert.ok(!h.startsWith('access-control-'), h);
  });

  it('security headers on every response; the report page keeps its own CSP', async () => {
    const app = appWith();
    const cases: Array<[string, RequestInit, number, string, string]> = [
      ['/healthz', {}, 200, API_CSP, 'no-store'],
      ['/openapi.json', {}, 200, API_CSP, 'public, max-age=300'],
      ['/docs', {}, 200, DOCS_CSP, 'public, max-age=300'],
      ['/v1/repos/demo/analyses', {}, 401, API_CSP, 'no-store'],
      ['/nope', {}, 404, API_CSP, 'no-store'],
      [`/v1/analyses/${doneId}`, { headers: auth() }, 200, API_CSP, 'no-store'],
      [`/v1/analyses/${doneId}?format=md`, { headers: auth() }, 200, API_CSP, 'no-store'],
      [`/v1/analyses/${doneId}?format=html`, { headers: auth() }, 200, PAGE_CSP, 'no-store'],
      [`/v1/analyses/${doneId}`, { headers: { ...auth(), accept: 'text/html' } }, 200, PAGE_CSP, 'no-store'],
      ['/v1/analyses?repo=demo', { method: 'POST', body: 'x'.repeat(10), headers: auth() }, 202, API_CSP, 'no-store'],
    ];
    for (const [path, init, status, csp, cache] of cases) {
      const res = await app.request(path, init);
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(res.headers.get('content-security-policy'), csp, path);
      assert.equal(res.headers.get('cache-control'), cache, path);
    }
    const share = await app.request(`/v1/analyses/${doneId}/share`, { method: 'POST', headers: auth() });
    assert.equal(share.status, 201, await share.clone().text());
    const link = new URL(((await share.json()) as { url: string }).url);
    const opened = await app.request(link.pathname + link.search);
    assert.equal(opened.status, 200);
    assert.equal(opened.headers.get('cache-control'), 'no-store', 'share links are not cached either');
  });

  it('429 per key: the burst, then Retry-After and the SPEC body; other keys unaffected; tokens come back', async () => {
    let now = 1_000_000;
    const app = appWith({ rateLimit: { perKey: { ratePerSec: 1, burst: 3 }, perIp: { ratePerSec: 1, burst: 2 }, now: () => now, clientIp: (c) => c.req.header('x-test-ip') } });
    const get = (k: string, ip = '192.0.2.1') => app.request('/v1/repos/demo/analyses', { headers: { authorization: `Bearer ${k}`, 'x-test-ip': ip } });
    for (let i = 0; i < 3; i++) assert.equal((await get(key)).status, 200);
    const refused = await get(key);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.headers.get('x-content-type-options'), 'nosniff');
    const body = (await refused.json()) as { error: { code: string; message: string; details: Record<string, unknown> } };
    assert.equal(body.error.code, 'rate_limited');
    assert.match(body.error.message, /too many requests for this API key/);
    assert.equal(body.error.details.retryAfterSeconds, 1);
    assert.equal((await get(otherKey)).status, 200, 'another key has its own bucket');
    now += 1000;
    assert.equal((await get(key)).status, 200, 'one token back after a second');
    assert.equal((await get(key)).status, 429);
  });

  it('429 per IP without a valid key: no key, wrong keys (key guessing) — a good key from elsewhere unaffected', async () => {
    let now = 5_000_000;
    const app = appWith({ rateLimit: { perKey: { ratePerSec: 100, burst: 100 }, perIp: { ratePerSec: 0.5, burst: 2 }, now: () => now, clientIp: (c) => c.req.header('x-test-ip') } });
    const req = (ip: string, authz?: string, path = '/v1/repos/demo/analyses') =>
      app.request(path, { headers: { 'x-test-ip': ip, ...(authz ? { authorization: authz } : {}) } });
    assert.equal((await req('198.51.100.1')).status, 401);
    assert.equal((await req('198.51.100.1', undefined, '/openapi.json')).status, 200);
    const r = await req('198.51.100.1');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '2');
    // Guessing keys from one address: two wrong keys spend its bucket, then even a bearer request is refused unverified.
    const guess = `Bearer tlk_abcdefghijkm_${'A'.repeat(43)}`;
    assert.equal((await req('198.51.100.2', guess)).status, 401);
    assert.equal((await req('198.51.100.2', guess)).status, 401);
    assert.equal((await req('198.51.100.2', guess)).status, 429);
    assert.equal((await req('198.51.100.3', `Bearer ${key}`)).status, 200);
    assert.equal((await req('198.51.100.1', undefined, '/healthz')).status, 200, 'liveness is never limited');
    now += 2000;
    assert.equal((await req('198.51.100.1')).status, 401, 'a token back after 2 s');
  });

  it('the default limits are generous (a CI burst of 150 requests on one key passes), and can be turned off', async () => {
    const app = appWith();
    const statuses = await Promise.all(Array.from({ length: 150 }, () => Promise.resolve(app.request('/v1/repos/demo/analyses', { headers: auth() })).then((r) => r.status)));
    assert.deepEqual([...new Set(statuses)], [200]);
    const off = appWith({ rateLimit: false });
    const more = await Promise.all(Array.from({ length: 300 }, () => Promise.resolve(off.request('/openapi.json')).then((r) => r.status)));
    assert.deepEqual([...new Set(more)], [200]);
  });
});

describe('archive entry names are never file paths', () => {
  /** A ustar archive of the given entries, as written by a hostile tool (no name checks). */
  function rawTar(entries: Array<[string, string]>): Buffer {
    const blocks: Buffer[] = [];
    for (const [name, text] of entries) {
      const body = Buffer.from(text);
      const h = Buffer.alloc(512);
      h.write(name, 0, 100, 'utf8');
      h.write('0000644\0', 100);
      h.write('0000000\0', 108);
      h.write('0000000\0', 116);
      h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
      h.write('00000000000\0', 136);
      h.write('        ', 148);
      h.write('0', 156);
      h.write('ustar\0', 257);
      h.write('00', 263);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
      blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return Buffer.concat(blocks);
  }

  function snapshot(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        out.push(relative(dir, p));
        if (e.isDirectory()) walk(p);
      }
    };
    walk(dir);
    return out.sort();
  }

  it('`tracelens analyze` of an archive with ../ and absolute entries writes nothing, anywhere near its cwd', () => {
    const root = mkdtempSync(join(tmpdir(), 'tracelens-slip-'));
    dirs.push(root);
    const cwd = join(root, 'a', 'b', 'cwd');
    mkdirSync(cwd, { recursive: true });
    const names = ['../../x', '../../../escaped-gctrace.txt', '/tmp/tracelens-slip-abs.txt', 'ok/../../../y.txt', './gctrace.txt'];
    const tar = rawTar(names.map((n) => [n, GCTRACE]));
    writeFileSync(join(root, 'evil.tar'), tar);
    writeFileSync(join(root, 'evil.tar.gz'), gzipSync(tar));
    const before = snapshot(root);
    for (const archive of ['evil.tar', 'evil.tar.gz']) {
      const out = execFileSync(process.execPath, [join(ROOT, 'bin/tracelens'), 'analyze', join(root, archive)], {
        cwd,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
      const report = JSON.parse(out) as { inputs: Array<{ name: string; kind: string }> };
      // Every entry analysed, under a name normalized to inside the archive (data in the report, never a path).
      const got = report.inputs.map((i) => i.name).sort();
      assert.equal(got.length, names.length, JSON.stringify(got));
      for (const n of ['x', 'escaped-gctrace.txt', 'tmp/tracelens-slip-abs.txt', 'ok/y.txt', 'gctrace.txt']) assert.ok(got.some((g) => g === n || g.endsWith(`/${n}`)), `${n} in ${JSON.stringify(got)}`);
      for (const n of got) assert.ok(!n.startsWith('/') && !n.split('/').includes('..'), n);
    }
    assert.deepEqual(snapshot(root), before, 'no file created under the temp root');
    assert.deepEqual(readdirSync(cwd), []);
    assert.throws(() => readdirSync('/tmp/tracelens-slip-abs.txt'));
  });
});
