// `npm run load [-- --uploads N --concurrency C --seconds S]`: a bounded load test of the local service.
// Starts it in-process on a temp data dir (embedded S3 and DynamoDB, the analyzer on its queue) on
// loopback, then C workers POST archives directly — the two example archives and small synthetic
// gctrace files, mixed — and read reports, until N uploads were sent or S seconds passed. Prints
// throughput and latency percentiles for POST and GET, then waits (within the time bound) for every
// accepted upload to end `complete` or `failed`. Exit 1 if any is lost (still pending/running, or
// unknown) or any request failed unexpectedly. docs/reliability.md has the figures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHandler } from '../functions/analyzer/handler.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService } from '../shared/local/service.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    uploads: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '40' },
    'analyzer-concurrency': { type: 'string', default: '2' },
  },
});
const uploads = positive('uploads');
const concurrency = positive('concurrency');
const seconds = positive('seconds');
const analyzerConcurrency = positive('analyzer-concurrency');

function positive(name: keyof typeof values): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive integer, not "${values[name]}"`);
    process.exit(2);
  }
  return n;
}

const ROOT = new URL('../', import.meta.url);
const examples = [
  { name: 'boxed', body: readFileSync(new URL('examples/mapstress-boxed.tar.gz', ROOT)) },
  { name: 'struct', body: readFileSync(new URL('examples/mapstress-struct.tar.gz', ROOT)) },
];
/** A small synthetic upload: a gctrace log of `cycles` cycles (a few KB). */
function synthetic(i: number, cycles = 50): Buffer {
  let text = '';
  for (let c = 1; c <= cycles; c++) {
    const t = (c * 0.013 + i * 0.001).toFixed(3);
    text += `gc ${c} @${t}s 1%: 0.0${c % 9}+1.${c % 7}+0.01 ms clock, 0.1+0.2/1.1/0+0.04 ms cpu, 4->5->${1 + (c % 3)} MB, 5 MB goal, 0 MB stacks, 0 MB globals, 8 P\n`;
  }
  return Buffer.from(text);
}

const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-load-'));
const service = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler, concurrency: analyzerConcurrency, retryDelayMs: 200 });
const auth = { authorization: `Bearer ${service.token}` };
const deadline = Date.now() + seconds * 1000;
// Uploads stop at 60% of the time: the rest is for the analyzer to catch up and for the check.
const postDeadline = Date.now() + seconds * 600;

const postMs: number[] = [];
const getMs: number[] = [];
const accepted: Array<{ id: string; kind: string }> = [];
const problems: string[] = [];
let throttled = 0;
let sent = 0;
let bytes = 0;

async function timed(list: number[], url: string, init: RequestInit): Promise<Response> {
  for (;;) {
    const t0 = performance.now();
    const res = await fetch(url, init);
    if (res.status === 429) {
      // The app's own per-key limit: back off as the header says, as the CLI does; not a latency sample.
      throttled++;
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      continue;
    }
    const body = await res.arrayBuffer();
    list.push(performance.now() - t0);
    return new Response(body, { status: res.status, headers: res.headers });
  }
}

async function worker(w: number): Promise<void> {
  while (Date.now() < postDeadline) {
    const n = sent++;
    if (n >= uploads) return;
    // One upload in four is an example archive (real analysis work), the rest small synthetic ones.
    const ex = n % 4 === 0 ? examples[(n / 4) % 2]! : undefined;
    const body = ex ? ex.body : synthetic(n);
    bytes += body.length;
    const res = await timed(postMs, `${service.url}/v1/analyses?repo=load&branch=w${w}&commit=c${n}`, { method: 'POST', body, headers: auth });
    if (res.status !== 202) {
      problems.push(`POST ${n}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      continue;
    }
    const { id } = (await res.json()) as { id: string };
    accepted.push({ id, kind: ex?.name ?? 'synthetic' });
    // Read two reports: this one (often still pending) and a random earlier one.
    for (const target of [id, accepted[Math.floor(Math.random() * accepted.length)]!.id]) {
      const r = await timed(getMs, `${service.url}/v1/analyses/${target}`, { headers: auth });
      if (r.status !== 200) problems.push(`GET ${target}: ${r.status}`);
    }
  }
}

console.log(`load: up to ${uploads} uploads, ${concurrency} concurrent clients, ${seconds} s, analyzer concurrency ${analyzerConcurrency}; service at ${service.url}`);
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
const sendSeconds = (performance.now() - t0) / 1000;

// Wait for every accepted upload to end, polling the API, within the overall bound.
const final = new Map<string, string>();
while (final.size < accepted.length && Date.now() < deadline) {
  for (const { id } of accepted) {
    if (final.has(id)) continue;
    const r = await timed(getMs, `${service.url}/v1/analyses/${id}`, { headers: auth });
    const status = r.status === 200 ? ((await r.json()) as { status: string }).status : `http ${r.status}`;
    if (status === 'complete' || status === 'failed') final.set(id, status);
  }
  if (final.size < accepted.length) await new Promise((r) => setTimeout(r, 250));
}
const drainSeconds = (performance.now() - t0) / 1000;
await service.stop();
rmSync(dataDir, { recursive: true, force: true });

const lost = accepted.filter((a) => !final.has(a.id));
const failed = accepted.filter((a) => final.get(a.id) === 'failed');
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const line = (name: string, xs: number[]) =>
  `${name.padEnd(5)} n=${String(xs.length).padStart(4)}  p50 ${pct(xs, 50).toFixed(1)} ms  p90 ${pct(xs, 90).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms`;
console.log(`uploads: ${sent > uploads ? uploads : sent} sent, ${accepted.length} accepted (${(bytes / 1e6).toFixed(1)} MB) in ${sendSeconds.toFixed(1)} s: ${(accepted.length / sendSeconds).toFixed(1)} uploads/s, ${((postMs.length + getMs.length) / drainSeconds).toFixed(1)} requests/s overall`);
console.log(line('POST', postMs));
console.log(line('GET', getMs));
console.log(
  `analyses: ${final.size - failed.length} complete, ${failed.length} failed, ${lost.length} lost (not finished within ${seconds} s); all done ${drainSeconds.toFixed(1)} s after the start` +
    (throttled ? `; ${throttled} requests answered 429 and retried` : ''),
);
for (const p of problems.slice(0, 10)) console.log(`problem: ${p}`);
if (failed.length) console.log(`failed: ${failed.map((f) => `${f.id} (${f.kind})`).join(', ')}`);
if (lost.length || problems.length) {
  console.log(lost.length ? `LOST: ${lost.map((l) => l.id).join(', ')}` : 'FAIL: unexpected responses');
  process.exit(1);
}
console.log('ok: every accepted upload reached a final state');
