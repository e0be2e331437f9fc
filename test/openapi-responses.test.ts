// /openapi.json is a contract, not a sketch: every JSON response the running service gives on every
// documented route (the success of each operation and a sample of errors) validates against the schema
// the document names for that operation and status — and every documented JSON success is exercised.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { createHandler } from '../functions/analyzer/handler.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService, type LocalService } from '../shared/local/service.js';
import { untilFinal } from './helpers/http.js';
import { BOXED_ARCHIVE, STRUCT_ARCHIVE } from './helpers/samples.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Json = Record<string, any>;
const BASE = 'https://tracelens.invalid/openapi.json';

let s: LocalService;
let dataDir: string;
let doc: Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();
/** `METHOD /path/template status` of every response validated. */
const checked = new Set<string>();

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tracelens-openapi-'));
  s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });
  doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as Json;
  ajv.addSchema({ $id: BASE, components: doc.components });
});
after(async () => {
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Calls the service and validates the JSON body against the document's schema for `template`, the method
 * and the status it answered. Returns the body.
 */
async function call(method: string, template: string, path: string, init: { body?: RequestInit['body']; json?: unknown; headers?: Record<string, string>; token?: string | null } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? s.token}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${s.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const op = doc.paths[template]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${template} is documented`);
  const response = op.responses[String(res.status)];
  assert.ok(response, `${method} ${template} answered ${res.status}, which the document does not list: ${text.slice(0, 300)}`);
  const schema = response.content?.['application/json']?.schema;
  assert.ok(schema, `${method} ${template} ${res.status} has a JSON schema`);
  const key = `${method} ${template} ${res.status}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema.$ref?.startsWith('#/') ? { $ref: `${BASE}${schema.$ref}` } : schema);
    compiled.set(key, validate);
  }
  const json = JSON.parse(text) as Json;
  assert.ok(validate(json), `${key}: ${ajv.errorsText(validate.errors, { separator: '\n' })}\n${text.slice(0, 500)}`);
  checked.add(key);
  return { status: res.status, json };
}

function waitDone(id: string): Promise<Json> {
  return untilFinal(async () => (await call('GET', '/v1/analyses/{id}', `/v1/analyses/${id}`)).json, `analysis ${id}`);
}

describe('the OpenAPI document against the running service', () => {
  it('every route answers what the document says, successes and errors', async () => {
    // Analyses: direct uploads, the report while pending and once complete, a failed one.
    const boxed = await call('POST', '/v1/analyses', '/v1/analyses?repo=demo&branch=main&commit=b1', { body: readFileSync(BOXED_ARCHIVE) });
    assert.equal(boxed.status, 202);
    const struct = await call('POST', '/v1/analyses', '/v1/analyses?repo=demo&branch=feat&commit=s1&label.ci=x', { body: readFileSync(STRUCT_ARCHIVE) });
    const broken = await call('POST', '/v1/analyses', '/v1/analyses?repo=demo&branch=broken', { body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]) });
    const report = await waitDone(boxed.json.id);
    assert.equal(report.status, 'complete');
    assert.ok(report.latency.length > 0 && report.findings.length > 0, 'a full report was validated');
    // The schema has teeth: a fractional nanosecond, an unknown severity or a share above 1 are refused.
    const validateReport = compiled.get('GET /v1/analyses/{id} 200')!;
    for (const breach of [
      (r: Json) => (r.latency[0].p99Ns = 1.5),
      (r: Json) => (r.findings[0].severity = 'fatal'),
      (r: Json) => (r.escapeSites[0].allocShare = 1.2),
      (r: Json) => (r.latency.find((l: Json) => l.gc?.inside).gc.pValue = -0.1),
      (r: Json) => delete r.dataQuality,
    ]) {
      const copy = structuredClone(report);
      breach(copy);
      assert.equal(validateReport(copy), false, String(breach));
    }
    await waitDone(struct.json.id);
    assert.equal((await waitDone(broken.json.id)).status, 'failed');

    // Uploads of each method, a multipart completion and an abandoned one.
    for (const method of ['PUT', 'POST', 'MULTIPART']) {
      const up = await call('POST', '/v1/uploads', '/v1/uploads', { json: { repo: 'demo', branch: 'up', sizeBytes: 1000, method } });
      assert.equal(up.json.upload.method, method);
      if (method === 'MULTIPART') {
        const part = await fetch(up.json.upload.parts[0].url, { method: 'PUT', body: Buffer.alloc(1000) });
        await call('POST', '/v1/uploads/{id}/complete', `/v1/uploads/${up.json.id}/complete`, {
          json: { parts: [{ partNumber: 1, etag: part.headers.get('etag') }] },
        });
      } else {
        const del = await fetch(`${s.url}/v1/uploads/${up.json.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
        assert.equal(del.status, 204);
      }
    }

    // Share, compare, reanalyze.
    await call('POST', '/v1/analyses/{id}/share', `/v1/analyses/${boxed.json.id}/share`, { json: {} });
    const cmp = await call('GET', '/v1/analyses/{id}/compare', `/v1/analyses/${boxed.json.id}/compare?base=${struct.json.id}`);
    assert.equal(cmp.json.gate.verdict, 'fail');
    await call('POST', '/v1/analyses/{id}/reanalyze', `/v1/analyses/${struct.json.id}/reanalyze`);
    await waitDone(struct.json.id);

    // Repos: listing, baselines, gate.
    const page = await call('GET', '/v1/repos/{repo}/analyses', '/v1/repos/demo/analyses?limit=2');
    assert.equal(page.json.items.length, 2);
    assert.equal(typeof page.json.nextCursor, 'string');
    await call('PUT', '/v1/repos/{repo}/baselines/{branch}', '/v1/repos/demo/baselines/main', { json: { analysisId: boxed.json.id } });
    await call('GET', '/v1/repos/{repo}/baselines/{branch}', '/v1/repos/demo/baselines/main');
    assert.equal((await call('PUT', '/v1/repos/{repo}/gate', '/v1/repos/demo/gate', { json: { maxNewSiteBytes: 2 * 1024 * 1024, failOnGcExplains: false } })).status, 200);
    await call('GET', '/v1/repos/{repo}/gate', '/v1/repos/demo/gate');

    // Errors, in the SPEC's body.
    assert.equal((await call('GET', '/v1/analyses/{id}', '/v1/analyses/01JDQ8ZK3M7W5X2R9T4B6N8C0E')).status, 404);
    assert.equal((await call('GET', '/v1/analyses/{id}', `/v1/analyses/${boxed.json.id}`, { token: null })).status, 401);
    assert.equal((await call('GET', '/v1/analyses/{id}/compare', `/v1/analyses/${boxed.json.id}/compare`)).status, 400);
    assert.equal((await call('POST', '/v1/uploads', '/v1/uploads', { json: { sizeBytes: -1 } })).status, 400);
    assert.equal((await call('POST', '/v1/uploads', '/v1/uploads', { json: { sizeBytes: 10 ** 12 } })).status, 413);
    assert.equal((await call('PUT', '/v1/repos/{repo}/baselines/{branch}', '/v1/repos/demo/baselines/x', { json: { analysisId: broken.json.id } })).status, 409);
    assert.equal((await call('POST', '/v1/analyses', '/v1/analyses?repo=demo', { body: '' })).status, 400);

    // Every JSON success the document promises was exercised above.
    const promised: string[] = [];
    for (const [template, ops] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(ops as Json)) {
        for (const [code, r] of Object.entries((op as Json).responses as Json)) {
          if (/^2/.test(code) && (r as Json).content?.['application/json']?.schema && !['/healthz', '/openapi.json'].includes(template) && template !== '/v1/share/{token}') {
            promised.push(`${method.toUpperCase()} ${template} ${code}`);
          }
        }
      }
    }
    assert.deepEqual(promised.filter((k) => !checked.has(k)), [], 'documented but never checked');
  });

  it('a share link answers the report schema too', async () => {
    const a = await call('POST', '/v1/analyses', '/v1/analyses?repo=demo&branch=share', { body: readFileSync(STRUCT_ARCHIVE) });
    await waitDone(a.json.id);
    const link = await call('POST', '/v1/analyses/{id}/share', `/v1/analyses/${a.json.id}/share`, { json: { expiresInSeconds: 600 } });
    const path = new URL(link.json.url).pathname;
    const r = await call('GET', '/v1/share/{token}', path, { token: null });
    assert.equal(r.json.id, a.json.id);
  });
});
