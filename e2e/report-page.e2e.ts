// The report page in a real browser (the system's Chromium through playwright-core): the local service
// in-process on a temp data dir analyses the boxed mapstress sample; its share link opens with no key and
// shows the findings, the GC timeline, the distributions and a flame graph with hover, with no console
// error and no request leaving the page's origin. The API path with `Accept: text/html` serves the page.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createHandler } from '../functions/analyzer/handler.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService, type LocalService } from '../shared/local/service.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const OUTPUT = join(ROOT, 'e2e', 'output');
const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-e2e-'));
let s: LocalService;
let browser: Browser;
let id = '';

async function api(method: string, path: string, body?: string | Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${s.url}${path}`, { method, ...(body !== undefined ? { body } : {}), headers: { authorization: `Bearer ${s.token}`, ...headers } });
}

before(async () => {
  s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });
  const posted = await api('POST', '/v1/analyses?repo=acme/mapstress&branch=main&commit=3f2c9e1d0b8a7f6e5d4c3b2a1908f7e6d5c4b3a2', readFileSync(join(ROOT, 'examples/mapstress-boxed.tar.gz')));
  assert.equal(posted.status, 202);
  id = ((await posted.json()) as { id: string }).id;
  for (let i = 0; ; i++) {
    const r = (await (await api('GET', `/v1/analyses/${id}`)).json()) as { status: string; error?: string };
    if (r.status === 'complete') break;
    assert.notEqual(r.status, 'failed', r.error);
    assert.ok(i < 1200, 'the analysis finishes within a minute');
    await new Promise((r) => setTimeout(r, 50));
  }
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the report page in Chromium', () => {
  it('a share link opens the page with no key: findings, timeline, distributions, flame graph with hover; nothing leaves the origin', async () => {
    const made = await api('POST', `/v1/analyses/${id}/share`, JSON.stringify({ expiresInSeconds: 3600 }), { 'content-type': 'application/json' });
    assert.equal(made.status, 201);
    const shareUrl = new URL(((await made.json()) as { url: string }).url);
    const pageUrl = new URL(shareUrl.pathname, s.url).toString();
    const origin = new URL(pageUrl).origin;

    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));

    const res = await page.goto(pageUrl, { waitUntil: 'load' });
    assert.equal(res?.status(), 200);
    assert.match(res!.headers()['content-type'] ?? '', /^text\/html/);

    // Header and findings.
    assert.match((await page.locator('h1').innerText()).replace(/\s+/g, ' '), /TraceLens report — acme\/mapstress · main · 3f2c9e1d0b8a complete/);
    const findings = await page.locator('#findings').innerText();
    assert.match(findings, /ESC001\s+main\.go:23 allocates 35% of heap bytes/);
    assert.match(findings, /ESC002\s+Interface boxing at main\.go:23/);
    assert.ok((await page.locator('#escape-table tbody tr').count()) >= 2);
    assert.match(await page.locator('#escape-table tbody tr').first().innerText(), /main\.go:23\s+main\.boxed/);

    // The three plots are drawn, with marks.
    for (const [sel, marks] of [
      ['#timeline', '#timeline .gc-band'],
      ['#timeline', '#timeline circle.pt'],
      ['#distributions', '#distributions g.dist'],
      ['#flame', '#flame g.fr rect'],
    ] as const) {
      const box = await page.locator(sel).boundingBox();
      assert.ok(box && box.width > 300 && box.height > 50, `${sel} is drawn: ${JSON.stringify(box)}`);
      const n = await page.locator(marks).count();
      assert.ok(n > 0, `${marks}: ${n}`);
      const first = await page.locator(marks).first().boundingBox();
      assert.ok(first && first.width > 0 && first.height > 0, `${marks} has a size`);
    }
    assert.match(await page.locator('#alignment').textContent() ?? '', /gc-activity .* offset .* residual/);
    // The timeline plots operations (the analyzer's timeline artifact, through S3), not per-cycle maxima.
    const ops = await page.locator('#timeline circle.pt.op').count();
    assert.ok(ops >= 1000, `${ops} operation points`);
    await page.locator('#timeline circle.pt.op.slow').last().hover({ force: true });
    const opTip = page.locator('#tip');
    await opTip.waitFor({ state: 'visible', timeout: 2000 });
    assert.match(await opTip.locator('.tip-name').innerText(), /^syscall:\S+ \((duration|gap)\)$/);
    assert.match(await opTip.locator('.tip-detail').innerText(), /^[\d.]+ (ns|µs|ms) at [\d.]+ (µs|ms|s)/);

    // Hover a wide flame frame: the tooltip names it, with its sample count and share.
    const frame = page.locator('#flame g.fr[data-n="main.boxed"] rect').first();
    await frame.hover();
    const tip = page.locator('#tip');
    await tip.waitFor({ state: 'visible', timeout: 2000 });
    assert.equal(await tip.locator('.tip-name').innerText(), 'main.boxed');
    assert.match(await tip.locator('.tip-detail').innerText(), /^[\d,]+ samples · \d+\.\d\d% of all$/);

    mkdirSync(OUTPUT, { recursive: true });
    const shot = join(OUTPUT, 'report-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);

    assert.deepEqual(consoleErrors, []);
    assert.ok(requests.length >= 1);
    assert.deepEqual(requests.filter((u) => new URL(u).origin !== origin && !u.startsWith('data:')), [], 'no request leaves the origin');
    await context.close();
  });

  it('GET /v1/analyses/{id} with Accept: text/html is the page; ?format=html too; JSON stays the default', async () => {
    const html = await api('GET', `/v1/analyses/${id}`, undefined, { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    assert.match(html.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(html.headers.get('vary') ?? '', /accept/i);
    const text = await html.text();
    assert.match(text, /^<!doctype html>/);
    assert.ok(text.includes('<svg id="flame"'));
    const explicit = await api('GET', `/v1/analyses/${id}?format=html`);
    assert.match(explicit.headers.get('content-type') ?? '', /^text\/html/);
    const json = await api('GET', `/v1/analyses/${id}?format=json`, undefined, { accept: 'text/html' });
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/, 'an explicit format wins over Accept');
    const plain = await api('GET', `/v1/analyses/${id}`, undefined, { accept: 'application/json' });
    assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
  });
});
