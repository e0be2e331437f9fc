import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiClient, ApiError } from './http-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
let handler: Handler = (_q, res) => res.end('{}');
let hits = 0;
const seen: Array<{ auth: string | undefined; body: string }> = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    seen.push({ auth: req.headers.authorization, body });
    handler(req, res, ++hits);
  });
});
let base = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function client(sleeps: number[], tries = 5) {
  return new ApiClient({ server: `${base}/prefix/`, token: 'tlk_test', retry: { tries, baseMs: 100, maxMs: 2000 }, sleep: async (ms) => void sleeps.push(ms) });
}

function reset(h: Handler) {
  handler = h;
  hits = 0;
  seen.length = 0;
}

describe('ApiClient', () => {
  it('retries 5xx and 429 with growing, jittered backoff, honouring Retry-After, and re-sends the body', async () => {
    reset((_q, res, n) => {
      if (n === 1) return void res.writeHead(503).end('busy');
      if (n === 2) return void res.writeHead(429, { 'retry-after': '1' }).end();
      if (n === 3) return void res.writeHead(502).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const sleeps: number[] = [];
    const out = await client(sleeps).json('POST', '/v1/x', { json: { a: 1 } });
    assert.deepEqual(out, { ok: true });
    assert.equal(hits, 4);
    assert.ok(sleeps[0]! >= 50 && sleeps[0]! <= 100, `first backoff ${sleeps[0]}`);
    assert.equal(sleeps[1], 1000, 'Retry-After: 1');
    assert.ok(sleeps[2]! >= 200 && sleeps[2]! <= 400, `third backoff ${sleeps[2]}`);
    assert.ok(seen.every((s) => s.body === '{"a":1}' && s.auth === 'Bearer tlk_test'));
  });

  it('gives up after the last try with a clear message; 4xx are not retried; 401 points at TRACELENS_TOKEN', async () => {
    reset((_q, res) => res.writeHead(500).end('{"error":{"code":"internal","message":"boom"}}'));
    const sleeps: number[] = [];
    await assert.rejects(client(sleeps, 3).request('GET', '/v1/y'), (e: unknown) => e instanceof ApiError && e.httpStatus === 500 && /boom.*after 3 attempts/.test(e.message));
    assert.equal(hits, 3);
    reset((_q, res) => res.writeHead(401).end('{"error":{"code":"unauthorized","message":"invalid API key"}}'));
    await assert.rejects(client([]).request('GET', '/v1/y'), /401 invalid API key — check TRACELENS_TOKEN/);
    assert.equal(hits, 1);
  });

  it('sends the key only to the server, never to other hosts (presigned storage URLs)', async () => {
    reset((_q, res) => res.end('ok'));
    const c = client([]);
    await c.request('PUT', `${base}/bucket/key?X-Amz-Signature=abc`);
    await c.request('GET', '/v1/z');
    assert.equal(seen[0]!.auth, undefined);
    assert.equal(seen[1]!.auth, 'Bearer tlk_test');
  });

  it('retries network errors, then names the host and TRACELENS_URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const sleeps: number[] = [];
    const c = new ApiClient({ server: `http://127.0.0.1:${port}`, token: 't', retry: { tries: 2, baseMs: 1 }, sleep: async (ms) => void sleeps.push(ms) });
    await assert.rejects(c.request('GET', '/healthz'), /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\) after 2 attempts; check TRACELENS_URL/);
    assert.equal(sleeps.length, 1);
  });
});
