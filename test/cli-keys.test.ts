// `tracelens keys` against the local service's table: with no service running (it opens the data dir)
// and while one runs (through its emulator); the keys it makes and revokes take effect in the API.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createHandler } from '../functions/analyzer/handler.js';
import { keysCommand } from '../shared/cli/keys.js';
import { parseKey } from '../shared/auth/api-keys.js';
import { capturedIo } from './helpers/cli-io.js';
import { silentLogger } from '../shared/logger.js';
import { startLocalService } from '../shared/local/service.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dataDir = mkdtempSync(join(tmpdir(), 'tracelens-keys-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function keys(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capturedIo();
  const code = await keysCommand(argv, io, { TRACELENS_DATA_DIR: dataDir });
  return { code, out: io.out(), err: io.err() };
}

it('creates, lists and revokes keys in the local table, with and without the service running', async () => {
  const made = await keys('create', '--scopes', 'read', '--name', 'bot');
  assert.equal(made.code, 0, made.err);
  const token = /^TRACELENS_TOKEN=(tlk_\S+)$/m.exec(made.out)?.[1];
  assert.ok(token, made.out);
  assert.match(made.err, /for tenant local \(read\) in the local data directory/);
  const listed = await keys('list');
  assert.match(listed.out, /local\s+read\s+.*active\s+bot/);
  assert.ok(!listed.out.includes(parseKey(token!)!.secret), 'the secret is never listed');

  const s = await startLocalService({ dataDir, port: 0, log: silentLogger, createAnalyzer: createHandler });
  try {
    const get = (t: string) => fetch(`${s.url}/v1/repos/demo/analyses`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal((await get(token!)).status, 200);
    // Read only: ingest is refused.
    const post = await fetch(`${s.url}/v1/analyses`, { method: 'POST', body: 'x', headers: { authorization: `Bearer ${token}` } });
    assert.equal(post.status, 403);
    // Revoked through the running service's table: refused from then on.
    const keyId = parseKey(token!)!.keyId;
    const revoked = await keys('revoke', keyId);
    assert.equal(revoked.code, 0, revoked.err);
    assert.match(revoked.err, /running local service/);
    assert.equal((await get(token!)).status, 401);
    assert.match((await keys('list')).out, new RegExp(`${keyId}.*revoked`));
  } finally {
    await s.stop();
  }
  await assert.rejects(keys('create', '--scopes', 'root'), /unknown scope "root"/);
  await assert.rejects(keys('revoke'), /needs the KEY_ID/);
  await assert.rejects(keys('revoke', 'nosuchkey1234'), /no API key nosuchkey1234/);
});
