// `tracelens upload`, `pack`, `report` and `compare` against the local service in-process (real HTTP,
// embedded S3 and DynamoDB): direct and presigned uploads with progress, --wait, --gate against pinned
// baselines, retries through a flaky proxy, and pack's manifest from git.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHandler } from '../functions/analyzer/handler.js';
import { UsageError, type CliIo } from '../shared/cli/io.js';
import { packCommand } from '../shared/cli/pack.js';
import { compareCommand, reportCommand } from '../shared/cli/remote.js';
import { uploadCommand } from '../shared/cli/upload.js';
import { TraceLensError } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService, type LocalService } from '../shared/local/service.js';
import { capturedIo } from './helpers/cli-io.js';
import { BOXED_ARCHIVE, STRUCT_ARCHIVE, seededBytes } from './helpers/samples.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Command = (argv: string[], io: CliIo, env: Record<string, string | undefined>) => Promise<number>;

const dirs: string[] = [];
const servers: Server[] = [];
let s: LocalService;

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

before(async () => {
  s = await startLocalService({ dataDir: tempDir('tracelens-cli-upload-'), port: 0, log: silentLogger, createAnalyzer: createHandler, retryDelayMs: 50 });
});
after(async () => {
  for (const x of servers) x.close();
  await s?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs a command as main() does (usage → 2, our errors → 1), collecting stdout and stderr (not a TTY). */
async function run(cmd: Command, argv: string[], env: Record<string, string | undefined> = {}) {
  const io = capturedIo();
  let code: number;
  try {
    code = await cmd(argv, io, { TRACELENS_URL: s.url, TRACELENS_TOKEN: s.token, TRACELENS_POLL_MS: '50', TRACELENS_RETRY_BASE_MS: '10', ...env });
  } catch (e) {
    if (e instanceof UsageError) code = 2;
    else if (e instanceof TraceLensError || (e instanceof Error && 'syscall' in e)) code = 1;
    else throw e;
    io.stderr.write(`tracelens: ${(e as Error).message}\n`);
  }
  return { code, out: io.out(), err: io.err() };
}

function idOf(stderr: string): string {
  const id = /^report: \S+\/v1\/analyses\/(\w+)$/m.exec(stderr)?.[1];
  assert.ok(id, `no report URL in:\n${stderr}`);
  return id;
}

async function pin(branch: string, analysisId: string) {
  const res = await fetch(`${s.url}/v1/repos/demo/baselines/${branch}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ analysisId }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe('tracelens upload', () => {
  let boxedId = '';
  let structId = '';

  it('uploads a small archive in the request body, waits with visible status and prints the summary', async () => {
    const r = await run(uploadCommand, [BOXED_ARCHIVE, '--repo', 'demo', '--branch', 'main', '--commit', 'b1', '--label', 'ci=test', '--wait']);
    assert.equal(r.code, 0, r.err);
    boxedId = idOf(r.err);
    const progress = r.err.split('\n').filter((l) => l.startsWith('upload '));
    assert.ok(progress.length >= 1 && progress.length <= 11, r.err);
    for (const l of progress) assert.match(l, /^upload +\d+% \d+\.\d\/\d+\.\d MB \d+\.\d MB\/s$/);
    assert.match(progress.at(-1)!, /^upload 100% /);
    assert.match(r.err, /^analysis (pending|running)/m);
    assert.match(r.err, /^analysis complete$/m);
    assert.match(r.out, /^#/m, 'the markdown summary on stdout');
    assert.match(r.out, /main\.go:23/);
    const rec = await s.stores.analyses.get('local', boxedId, false);
    assert.equal(rec?.upload, undefined, 'sent in the body of POST /v1/analyses');
    assert.deepEqual(rec?.labels, { ci: 'test' });
    assert.equal(rec?.commit, 'b1');
  });

  it('--gate: passes against a worse baseline of main, fails against a better one naming main.go:23', async () => {
    await pin('main', boxedId);
    const better = await run(uploadCommand, [STRUCT_ARCHIVE, '--repo', 'demo', '--branch', 'pr-1', '--commit', 's1', '--gate']);
    assert.equal(better.code, 0, better.err);
    assert.match(better.err, /gate: pass against branch:main/);
    structId = idOf(better.err);

    await pin('main', structId);
    const worse = await run(uploadCommand, [BOXED_ARCHIVE, '--repo', 'demo', '--branch', 'pr-2', '--commit', 'b2', '--gate']);
    assert.equal(worse.code, 1, worse.err);
    assert.match(worse.err, /gate: FAIL against branch:main/);
    assert.match(worse.err, /^ {2}- .*main\.go:23/m);
    assert.match(worse.out, /^#/m, 'the summary is printed before the verdict');
  });

  it('--gate with no baseline to compare with: says so and exits 0', async () => {
    const r = await run(uploadCommand, [STRUCT_ARCHIVE, '--repo', 'demo/fresh', '--branch', 'pr-1', '--commit', 'c1', '--gate']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /no baseline for branch:main .*nothing to gate against/);
  });

  it('--wait on an analysis that fails: exit 1 with its error; --help documents the gate defaults', async () => {
    const dir = tempDir('tracelens-broken-');
    const broken = join(dir, 'broken.tar.gz');
    writeFileSync(broken, readFileSync(BOXED_ARCHIVE).subarray(0, 64 * 1024)); // truncated mid-stream
    const r = await run(uploadCommand, [broken, '--repo', 'demo', '--branch', 'broken', '--commit', 'x1', '--wait']);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^analysis failed$/m);
    assert.match(r.err, /tracelens: analysis \w+ failed: ./);
    assert.equal(r.out, '', 'no summary for a failed analysis');

    const help = await run(uploadCommand, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /default branch:main/);
    assert.match(help.out, /nothing to gate against/);
  });

  it('report and compare read from the server; compare exits 1 with the reasons when the gate fails', async () => {
    const md = await run(reportCommand, [boxedId, '--format', 'md']);
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /^#/m);
    const json = await run(reportCommand, [boxedId]);
    assert.equal(JSON.parse(json.out).id, boxedId);
    const fail = await run(compareCommand, [boxedId, '--base', structId]);
    assert.equal(fail.code, 1);
    assert.equal(JSON.parse(fail.out).gate.verdict, 'fail');
    assert.match(fail.err, /main\.go:23/);
    const pass = await run(compareCommand, [structId, '--base', 'branch:main', '--format', 'md']);
    assert.equal(pass.code, 0, pass.err);
    assert.doesNotMatch(pass.out, /^\{/);
    const missing = await run(reportCommand, ['01JDQ8ZK3M7W5X2R9T4B6N8C0E']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /404 .*not found/);
    const usage = await run(compareCommand, [boxedId]);
    assert.equal(usage.code, 2);
  });

  it('a directory over 6 MB is packed on the fly and goes through /v1/uploads (presigned PUT, and multipart)', async () => {
    const dir = tempDir('tracelens-big-');
    mkdirSync(join(dir, 'in'));
    execFileSync('tar', ['-xzf', BOXED_ARCHIVE, '-C', join(dir, 'in')]);
    writeFileSync(join(dir, 'in', 'padding.bin'), seededBytes(7 * 1024 * 1024)); // incompressible
    const r = await run(uploadCommand, [join(dir, 'in'), '--repo', 'demo', '--branch', 'big', '--commit', 'p1', '--wait']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /packed 8 files and manifest\.json: 7\.\d MB/);
    assert.ok(r.err.split('\n').filter((l) => l.startsWith('upload ')).length >= 5, 'several progress lines for a 7 MB upload');
    const id = idOf(r.err);
    const rec = await s.stores.analyses.get('local', id, false);
    assert.equal(rec?.upload?.method, 'PUT');
    assert.ok((rec?.archive.bytes ?? 0) > 6 * 1024 * 1024);
    const report = JSON.parse((await run(reportCommand, [id])).out);
    assert.equal(report.status, 'complete');
    assert.ok(report.inputs.some((i: { name: string }) => i.name === 'manifest.json'));
    assert.ok(report.inputs.some((i: { name: string }) => i.name === 'escape.txt'));

    // The same through multipart parts (forced: real ones start above 100 MB) and complete.
    const packed = join(dir, 'big.tar.gz');
    assert.equal((await run(packCommand, [join(dir, 'in'), '--out', packed, '--repo', 'demo', '--branch', 'big', '--commit', 'p2'])).code, 0);
    const m = await run(uploadCommand, [packed, '--repo', 'demo', '--branch', 'big', '--commit', 'p2', '--upload-method', 'multipart', '--wait']);
    assert.equal(m.code, 0, m.err);
    const mrec = await s.stores.analyses.get('local', idOf(m.err), false);
    assert.equal(mrec?.upload?.method, 'MULTIPART');
    assert.ok(mrec?.upload?.completedAt);
    assert.equal(mrec?.status, 'complete');
  });

  it('retries 503s (through a flaky proxy), then gives a clear error; a bad key is told to check TRACELENS_TOKEN', async () => {
    let hits = 0;
    let failFirst = 2;
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        hits++;
        if (hits <= failFirst) {
          res.writeHead(503, hits === 2 ? { 'retry-after': '0' } : {}).end('{"error":{"code":"internal","message":"try later"}}');
          return;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const up = await fetch(`${s.url}${req.url}`, { method: req.method!, headers, ...(body ? { body } : {}) });
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await up.arrayBuffer()));
      });
    });
    servers.push(proxy);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const r = await run(uploadCommand, [BOXED_ARCHIVE, '--repo', 'demo', '--branch', 'retry', '--commit', 'r1', '--server', url]);
    assert.equal(r.code, 0, r.err);
    assert.equal(hits, 3, 'two 503s, then the upload went through');
    assert.equal(r.err.match(/upload: 503 .*retrying in/g)?.length, 2, r.err);
    assert.match(r.out, /\/v1\/analyses\/\w+\n$/, 'the report URL on stdout without --wait');
    assert.ok(r.err.split('\n').filter((l) => /^upload 100% /.test(l)).length === 1, 'progress undone and redone, one 100% line');

    hits = 0;
    failFirst = 99;
    const down = await run(reportCommand, ['01JDQ8ZK3M7W5X2R9T4B6N8C0E', '--server', url]);
    assert.equal(down.code, 1);
    assert.equal(hits, 5);
    assert.match(down.err, /503 try later — the server failed, still after 5 attempts/);

    const denied = await run(reportCommand, ['01JDQ8ZK3M7W5X2R9T4B6N8C0E', '--token', 'tlk_wrong_key']);
    assert.equal(denied.code, 1);
    assert.match(denied.err, /401 .*check TRACELENS_TOKEN/);
    const noKey = await run(reportCommand, ['x'], { TRACELENS_TOKEN: undefined });
    assert.equal(noKey.code, 2);
    assert.match(noKey.err, /TRACELENS_TOKEN/);
  });

  it('an answer lost after the server acted (a 502 from a proxy): the retry sends the same Idempotency-Key and gets the same analysis', async () => {
    const keys: string[] = [];
    let lose = 0;
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const up = await fetch(`${s.url}${req.url}`, { method: req.method!, headers, ...(body ? { body } : {}) });
        const answer = Buffer.from(await up.arrayBuffer());
        if (req.method === 'POST' && /^\/v1\/(analyses\?|uploads$)/.test(req.url!)) {
          keys.push(req.headers['idempotency-key'] as string);
          // The server made the analysis; its answer never reaches the client.
          if (lose-- > 0) return void res.writeHead(502).end('{"message":"Bad Gateway"}');
        }
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(answer);
      });
    });
    servers.push(proxy);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    for (const [branch, extra] of [
      ['lost-direct', []],
      ['lost-put', ['--upload-method', 'PUT']],
    ] as const) {
      keys.length = 0;
      lose = 1;
      const r = await run(uploadCommand, [BOXED_ARCHIVE, '--repo', 'demo', '--branch', branch, '--commit', 'l1', '--server', url, '--wait', ...extra]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /502.*retrying in/);
      assert.equal(keys.length, 2, 'the first attempt and its retry');
      assert.match(keys[0]!, /^[0-9a-f-]{36}$/);
      assert.equal(keys[1], keys[0], 'the retry carries the same key');
      const res = await fetch(`${s.url}/v1/repos/demo/analyses?branch=${branch}`, { headers: { authorization: `Bearer ${s.token}` } });
      const items = ((await res.json()) as { items: Array<{ id: string; status: string }> }).items;
      assert.deepEqual(items.map((i) => [i.id, i.status]), [[idOf(r.err), 'complete']], `${branch}: one analysis`);
    }
  });
});

describe('tracelens pack', () => {
  it('packs a directory of a git checkout with a manifest from git; flags override', async () => {
    const repo = tempDir('tracelens-git-');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('checkout', '-q', '-b', 'feature/x');
    git('remote', 'add', 'origin', 'git@github.com:acme/probe.git');
    mkdirSync(join(repo, 'traces', 'sub'), { recursive: true });
    writeFileSync(join(repo, 'traces', 'gctrace.txt'), 'gc 1 @0.01s 0%: 0.1+1+0.1 ms clock, 0.1+0/0.1/0+0.1 ms cpu, 4->4->1 MB, 5 MB goal, 2 P\n');
    writeFileSync(join(repo, 'traces', 'sub', 'escape.txt'), './main.go:23:14: x escapes to heap\n');
    writeFileSync(join(repo, 'traces', '.hidden'), 'skipped');
    writeFileSync(join(repo, 'traces', 'manifest.json'), JSON.stringify({ binary: 'mapstress', branch: 'stale' }));
    git('add', '.');
    git('commit', '-q', '-m', 'traces');
    const head = git('rev-parse', 'HEAD');

    const out = join(repo, 'out.tar.gz');
    const r = await run(packCommand, [join(repo, 'traces'), '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).trim().split('\n'), ['manifest.json', 'gctrace.txt', 'sub/escape.txt']);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', out, 'manifest.json'], { encoding: 'utf8' }));
    assert.equal(manifest.repo, 'acme/probe');
    assert.equal(manifest.commit, head);
    assert.equal(manifest.branch, 'stale', 'a manifest in DIR keeps its fields');
    assert.equal(manifest.binary, 'mapstress');

    rmSync(join(repo, 'traces', 'manifest.json'));
    const r2 = await run(packCommand, [join(repo, 'traces'), '--out', out, '--commit', 'abc123']);
    assert.equal(r2.code, 0, r2.err);
    const m2 = JSON.parse(execFileSync('tar', ['-xzOf', out, 'manifest.json'], { encoding: 'utf8' }));
    assert.deepEqual([m2.repo, m2.branch, m2.commit], ['acme/probe', 'feature/x', 'abc123']);
    assert.equal(readFileSync(out).subarray(0, 2).toString('hex'), '1f8b');
  });
});
