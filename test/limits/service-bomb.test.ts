// Acceptance (issue 9): a 4 GiB-of-zeros gzip POSTed to the local service ends `failed` with an
// error that says why, within seconds, and the service stays up with bounded memory.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHandler } from '../../functions/analyzer/handler.js';
import { silentLogger } from '../../shared/logger.js';
import { startLocalService, type LocalService } from '../../shared/local/service.js';
import type { Report } from '../../shared/model/report.js';
import { fourGibZerosGzip } from '../helpers/bombs.js';
import { untilFinal } from '../helpers/http.js';
import { boxedArchive } from '../helpers/samples.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The service runs in this process: its RSS may grow by at most this much around the bomb. */
const RSS_GROWTH_BOUND_MB = 300;

let s: LocalService;
const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-bomb-'));

before(async () => {
  s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });
});
after(async () => {
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: Uint8Array): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}${path}`, { method, ...(body ? { body } : {}), headers: { authorization: `Bearer ${s.token}` } });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

function waitDone(id: string, timeoutMs = 120_000): Promise<Report> {
  return untilFinal(async () => (await call('GET', `/v1/analyses/${id}`)).json as Report, `analysis ${id}`, { timeoutMs });
}

describe('a 4 GiB gzip of zeros POSTed to the local service', () => {
  it('fails on the ratio limit within seconds; the service stays up with bounded memory', async () => {
    const bomb = readFileSync(await fourGibZerosGzip());
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = Date.now();
    let report: Report;
    try {
      const posted = await call('POST', '/v1/analyses?repo=acme/bomb', bomb);
      assert.equal(posted.status, 202, JSON.stringify(posted.json));
      report = await waitDone(posted.json.id);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - t0) / 1000;
    const rssAfter = process.memoryUsage().rss;
    const mb = (n: number) => Math.round(n / 1024 ** 2);
    console.log(
      `# 4 GiB zeros gzip (${bomb.length} bytes): ${report.status} in ${seconds.toFixed(2)} s; RSS before ${mb(rssBefore)} MB, peak ${mb(peak)} MB, after ${mb(rssAfter)} MB; error: ${report.error}`,
    );
    assert.equal(report.status, 'failed');
    assert.match(report.error ?? '', /compressionRatio \d+ exceeds the limit of 200/);
    assert.ok(report.error!.includes('TRACELENS_LIMIT_COMPRESSION_RATIO'), report.error);
    assert.ok(mb(peak - rssBefore) < RSS_GROWTH_BOUND_MB, `RSS grew by ${mb(peak - rssBefore)} MB`);

    // The service is still up and still analyses.
    assert.equal((await call('GET', '/healthz')).status, 200);
    const normal = await call('POST', '/v1/analyses?repo=acme/map', boxedArchive());
    assert.equal(normal.status, 202);
    assert.equal((await waitDone(normal.json.id)).status, 'complete');
  });
});
