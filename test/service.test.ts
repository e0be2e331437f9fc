// The local service end to end over real HTTP: the API stores the archive in (embedded) S3, s3rver's
// ObjectCreated event reaches the analyzer entry point as an SQS-wrapped S3 event, and the report
// comes back from DynamoDB — the production code path with the emulators in place of AWS.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createHandler } from '../functions/analyzer/handler.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService, type LocalService } from '../shared/local/service.js';
import type { Report } from '../shared/model/report.js';
import { fetchWithToken } from './helpers/http.js';
import { boxedArchive, MAPSTRESS_KINDS, seededBytes } from './helpers/samples.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-service-'));
let service: LocalService;
const fetch = fetchWithToken(() => [service]);

const start = () =>
  startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });

async function post(body: Uint8Array, query = '', headers: Record<string, string> = {}) {
  return fetch(`${service.url}/v1/analyses${query}`, { method: 'POST', body, headers });
}

async function report(id: string): Promise<Report> {
  const res = await fetch(`${service.url}/v1/analyses/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()) as Report;
}

describe('local service', () => {
  before(async () => {
    service = await start();
  });
  after(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('analyses the boxed sample: 202, then complete with its seven inputs, and keeps it across a restart', async () => {
    const res = await post(boxedArchive(), '?repo=demo&branch=main&commit=abc&label.ci=github');
    assert.equal(res.status, 202);
    const accepted = (await res.json()) as { id: string; status: string; reportUrl: string };
    assert.equal(accepted.status, 'pending');
    assert.equal(accepted.reportUrl, `${service.url}/v1/analyses/${accepted.id}`);
    assert.equal(res.headers.get('location'), accepted.reportUrl);

    await service.idle();
    const done = await report(accepted.id);
    assert.equal(done.schemaVersion, 1);
    assert.equal(done.status, 'complete', done.error);
    assert.deepEqual([done.repo, done.branch, done.commit], ['demo', 'main', 'abc']);
    assert.deepEqual(done.labels, { ci: 'github' });
    assert.deepEqual(done.inputs.map((i) => i.kind).sort(), MAPSTRESS_KINDS);
    const perf = done.inputs.find((i) => i.name === 'perf.script.txt.gz');
    assert.equal(perf?.encoding, 'gzip');
    assert.equal(perf?.storedBytes, 489302);
    assert.ok(perf!.bytes > 489302, 'decoded size is larger than the stored size');
    assert.ok(Date.parse(done.completedAt!) >= Date.parse(done.createdAt));

    const md = await fetch(`${service.url}/v1/analyses/${accepted.id}?format=md`);
    assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
    const mdText = await md.text();
    assert.match(mdText, /^## TraceLens report /);
    assert.match(mdText, /\| `main\.go:23` \| map\[string\]interface \{\}\{\.\.\.\}/);

    // gctrace: nine cycles (times on the Go process's own clock, since its start), the last forced.
    assert.equal(done.gc.cycles.length, 9);
    assert.deepEqual([done.gc.cycles[0]!.startNs, done.gc.cycles[8]!.forced], [36_000_000, true]);

    // Latency series from perf: every bpf() map update paired enter→exit per thread; run-queue delay.
    const updates = done.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'duration');
    assert.equal(updates?.count, 20000);
    assert.ok(updates!.p50Ns <= updates!.p99Ns && updates!.p99Ns <= updates!.maxNs);
    // One goroutine's loop, whichever of its 4 threads it ran on: 19999 gaps in the process.
    const gapSeries = done.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'gap');
    assert.deepEqual([gapSeries?.count, gapSeries?.scope], [19999, 'process']);
    assert.ok(done.latency.some((l) => l.kind === 'runqueue' && l.count > 0));
    // GC cycles aligned onto perf's clock by the GC activity perf saw (2 ms after the exec), then each
    // series against the GC windows: map updates are not slower in GC; the loop's cadence is.
    assert.deepEqual([done.gc.alignment?.method, done.gc.alignment?.confidence], ['gc-activity', 'medium']);
    assert.equal(done.gc.alignment?.offsetNs, 528_256_019_000);
    assert.equal(updates?.gc?.verdict, 'no-evidence');
    const cadence = done.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'gap');
    assert.equal(cadence?.gc?.verdict, 'gc-explains');
    assert.ok(cadence?.gc && 'pValue' in cadence.gc && cadence.gc.pValue < 1e-4 && cadence.gc.lift! >= 2 && cadence.gc.adjustedLift! >= 2);

    const rules = new Set(done.findings.map((f) => f.rule));
    for (const rule of ['GC001', 'BPF001', 'SCHED001']) assert.ok(rules.has(rule), `${rule} in ${[...rules]}`);

    // perf sched latency: the program's row as perf printed it.
    const mapstress = done.sched?.tables[0]?.tasks.find((t) => t.task === 'mapstress:(5)');
    assert.deepEqual([mapstress?.switches, mapstress?.maxDelayNs], [214, 4_413_000]);

    // The bpf() tracepoints are parsed, commands decoded from the kernel's enum bpf_cmd, not read as frames.
    assert.deepEqual((perf?.summary as { syscalls?: unknown }).syscalls, {
      'bpf:BPF_MAP_CREATE': { calls: 2, errors: 0 },
      'bpf:BPF_MAP_UPDATE_ELEM': { calls: 20000, errors: 0 },
    });
    assert.equal(done.hotspots.find((h) => h.event === 'syscalls:sys_enter_bpf')?.topFunctions[0]?.name, 'runtime/internal/syscall.Syscall6');

    // Hotspots per perf event, weighted by period; the task-clock leaders are what `perf report` shows.
    const taskClock = done.hotspots.find((h) => h.event === 'task-clock');
    assert.equal(taskClock?.samples, 1413);
    assert.equal(taskClock?.totalWeight, 1413 * 250000);
    assert.deepEqual(
      taskClock?.topFunctions.slice(0, 3).map((f) => [f.name, f.self / 250000]),
      [['perf_swevent_event', 509], ['runtime.mallocgc', 95], ['htab_map_update_elem', 79]],
    );

    // ?format=folded: the busiest event's stacks, folded as stackcollapse-perf.pl names frames, but
    // strictly one event (the script's own event filter lets tracepoint stacks leak into the result).
    const folded = await fetch(`${service.url}/v1/analyses/${accepted.id}?format=folded`);
    assert.equal(folded.status, 200);
    assert.match(folded.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await folded.text();
    const lines = text.trimEnd().split('\n');
    const weights = lines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    assert.ok(lines.every((l) => l.startsWith('mapstress;')));
    assert.ok(weights.every((w) => w % 250000 === 0), 'task-clock stacks only');
    assert.equal(weights.reduce((a, b) => a + b, 0), 1413 * 250000);
    assert.ok(lines.includes(lines.find((l) => l.endsWith(';runtime.mallocgc 250000')) ?? 'missing mallocgc leaf'));
    const bpf = await fetch(`${service.url}/v1/analyses/${accepted.id}?format=folded&event=syscalls:sys_enter_bpf`);
    assert.match(await bpf.text(), /^mapstress;.*;github\.com\/cilium\/ebpf\/internal\/sys\.BPF;.* \d+$/m);
    const none = await fetch(`${service.url}/v1/analyses/${accepted.id}?format=folded&event=cycles`);
    assert.equal(none.status, 404);

    await service.stop();
    service = await start();
    const again = await report(accepted.id);
    assert.equal(again.status, 'complete');
    assert.deepEqual(again.inputs, done.inputs);
    assert.equal(await (await fetch(`${service.url}/v1/analyses/${accepted.id}?format=folded`)).text(), text);
  });

  it('refuses an empty body with a 400 that says what to send', async () => {
    const res = await post(new Uint8Array(0), '?repo=demo');
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'invalid_request');
    assert.match(body.error.message, /body is empty/);
  });

  it('completes random binary with the entry as kind unknown and a warning', async () => {
    const res = await post(seededBytes(4096), '', { 'content-disposition': 'attachment; filename="noise.bin"' });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    await service.idle();
    const r = await report(id);
    assert.equal(r.status, 'complete');
    assert.equal(r.inputs.length, 1);
    assert.deepEqual(
      { name: r.inputs[0]!.name, kind: r.inputs[0]!.kind, bytes: r.inputs[0]!.bytes },
      { name: 'noise.bin', kind: 'unknown', bytes: 4096 },
    );
    assert.equal(r.inputs[0]!.warnings.length, 1);
    assert.deepEqual(r.dataQuality.map((d) => d.rule), ['DQ002']);
  });

  it('fails a truncated gzip with an error naming the entry and the byte offset, and keeps the archive', async () => {
    const whole = gzipSync(seededBytes(200_000).toString('base64'));
    const truncated = whole.subarray(0, 40_000);
    const res = await post(truncated, '', { 'content-disposition': 'attachment; filename="trace.txt.gz"' });
    const { id } = (await res.json()) as { id: string };
    await service.idle();
    const r = await report(id);
    assert.equal(r.status, 'failed');
    assert.match(r.error!, /trace\.txt/);
    assert.match(r.error!, /byte 40000\b/);
    assert.ok(await service.stores.archives.hasArchive(`archives/local/${id}/archive`));
  });

  it('fails a truncated .tar.gz naming the entry it was reading, and lists the entries before it', async () => {
    const archive = boxedArchive();
    const res = await post(archive.subarray(0, 200_000));
    const { id } = (await res.json()) as { id: string };
    await service.idle();
    const r = await report(id);
    assert.equal(r.status, 'failed');
    assert.match(r.error!, /perf\.script\.txt\.gz/);
    assert.match(r.error!, /byte \d+/);
    assert.ok(await service.stores.archives.hasArchive(`archives/local/${id}/archive`));
  });

  it('answers unknown routes and unknown ids with a 404 in the error body', async () => {
    for (const path of ['/v2/nothing', '/v1/analyses/01JDQ8ZK3M7W5X2R9T4B6N8C0E', '/v1/analyses/not-an-id']) {
      const res = await fetch(`${service.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'not_found');
      assert.ok(body.error.message.length > 0);
    }
  });

  it('refuses a body over 6 MB with 413 and invalid metadata with 400', async () => {
    const big = await post(new Uint8Array(6 * 1024 * 1024 + 1));
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'too_large');
    const bad = await post(new Uint8Array([1]), '?repo=' + encodeURIComponent('../../etc'));
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /repo/);
  });
});

describe('local service data directory', () => {
  it('refuses a second service on the same data directory with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelens-lock-'));
    const first = await startLocalService({ dataDir: dir, port: 0, log: silentLogger, createAnalyzer: createHandler });
    try {
      await assert.rejects(
        startLocalService({ dataDir: dir, port: 0, log: silentLogger, createAnalyzer: createHandler }),
        /another TraceLens service \(pid \d+\) is using/,
      );
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
