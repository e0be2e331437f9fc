// The whole local service (`npm start`: API, emulators, analyzer) as a child process, SIGKILLed while an
// analysis is `running`, then restarted on the same data directory: the analysis must end `complete`
// exactly once — one report, one set of finding items — with nothing lost.
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { embeddedConfig } from '../../shared/config.js';
import { LOCAL_BUCKET, LOCAL_TABLE } from '../../shared/local/service.js';
import type { Report } from '../../shared/model/report.js';
import { startEmbeddedStores } from '../../shared/storage/embedded.js';
import { ddbKeys } from '../../shared/storage/keys.js';
import { createStores } from '../../shared/storage/wiring.js';
import { BOXED_ARCHIVE, ROOT } from '../helpers/samples.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Child {
  proc: ChildProcess;
  token: string;
  url: string;
  /** Everything it logged so far (the text logger writes to stderr). */
  log: () => string;
}

/** `node --import tsx functions/local/server.ts` on PORT and TRACELENS_DATA_DIR; resolves once it printed its key. */
function startChild(port: number, dataDir: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'functions/local/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), TRACELENS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in 30 s:\n${out}\n${err}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^TRACELENS_TOKEN=(\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, token: m[1]!, url: `http://127.0.0.1:${port}`, log: () => err });
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code ?? signal}) before it started:\n${out}\n${err}`));
    });
  });
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

/** The boxed sample with its perf script copied 16 times: several seconds of analysis to kill into. */
function slowArchive(dir: string): Buffer {
  const inDir = join(dir, 'in');
  mkdirSync(inDir);
  execFileSync('tar', ['-xzf', BOXED_ARCHIVE, '-C', inDir]);
  for (let i = 1; i <= 16; i++) copyFileSync(join(inDir, 'perf.script.txt.gz'), join(inDir, `perf${i}.script.txt.gz`));
  execFileSync('tar', ['-czf', join(dir, 'slow.tar.gz'), '-C', inDir, '.']);
  return readFileSync(join(dir, 'slow.tar.gz'));
}

async function report(c: Child, id: string): Promise<Report> {
  const res = await fetch(`${c.url}/v1/analyses/${id}`, { headers: { authorization: `Bearer ${c.token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as Report;
}

describe('a service process killed mid-analysis', () => {
  // This test found a gap (docs/reliability.md): the restart re-queued the `running` analysis but the
  // dead process's lease (15 min) still held it, so the resumed delivery was ignored. The restart now
  // ends the dead owner's lease (shared/local/service.ts); the test still fails fast if it sees the gap.
  it(
    'SIGKILL while running, restart on the same data dir: complete exactly once',
    { timeout: 180_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tracelens-kill-'));
      dirs.push(dir);
      const dataDir = join(dir, 'data');
      const archive = slowArchive(dir);
      const port = await freePort();

      const first = await startChild(port, dataDir);
      const post = await fetch(`${first.url}/v1/analyses?repo=demo&branch=kill&commit=c1`, {
        method: 'POST',
        body: archive,
        headers: { authorization: `Bearer ${first.token}` },
      });
      assert.equal(post.status, 202);
      const { id } = (await post.json()) as { id: string };
      for (let i = 0; ; i++) {
        const status = (await report(first, id)).status;
        if (status === 'running') break;
        assert.equal(status, 'pending', 'the analysis finished before it could be killed: make the archive slower');
        assert.ok(i < 200, 'the analysis never started');
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300)); // well inside the run
      assert.equal((await report(first, id)).status, 'running');
      first.proc.kill('SIGKILL');
      await exited(first.proc);

      const second = await startChild(port, dataDir);
      assert.equal(second.token, first.token, 'the same data dir, the same local key');
      let final: Report | undefined;
      let stuckSince: number | undefined;
      const t0 = Date.now();
      while (!final) {
        const r = await report(second, id);
        if (r.status === 'complete' || r.status === 'failed') final = r;
        else {
          // Fail fast on the known gap rather than waiting out a 15 min lease.
          if (stuckSince === undefined && /held by a live attempt; delivery ignored/.test(second.log())) stuckSince = Date.now();
          assert.ok(stuckSince === undefined || Date.now() - stuckSince < 5000, `still ${r.status}: the resumed delivery was ignored (lease of the killed process)`);
          assert.ok(Date.now() - t0 < 120_000, `still ${r.status} after 120 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      assert.equal(final.status, 'complete', final.error);
      second.proc.kill('SIGTERM');
      await exited(second.proc);

      // The data dir, opened after the service stopped: one record, its attempts, one set of findings.
      const embedded = await startEmbeddedStores({ dataDir });
      const config = embeddedConfig(embedded, { tableName: LOCAL_TABLE, bucketName: LOCAL_BUCKET });
      const stores = createStores(config, embedded.credentials);
      try {
        const rec = await stores.analyses.get('local', id);
        assert.equal(rec?.status, 'complete');
        assert.ok(rec!.attempts >= 2, `attempts ${rec?.attempts}: the killed attempt and the one that finished`);
        const items = await stores.db.send(
          new QueryCommand({
            TableName: LOCAL_TABLE,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :f)',
            ExpressionAttributeValues: { ':pk': ddbKeys.analysis('local', id).PK, ':f': 'F#' },
          }),
        );
        assert.deepEqual((items.Items ?? []).map((i) => i.SK).sort(), final.findings.map((f) => `F#${f.id}`).sort(), 'one set of findings');
        assert.ok(await stores.archives.hasArchive(`archives/local/${id}/archive`), 'the archive is kept');
      } finally {
        stores.s3.destroy();
        stores.dynamo.destroy();
        await embedded.stop();
      }
    },
  );
});
