import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tarStream, writeTarGz, type TarEntry } from './tar-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'tracelens-tar-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function entry(name: string, body: Buffer): TarEntry {
  return { name, size: body.length, mtime: 1_700_000_000, body: () => body };
}

describe('tar writer', () => {
  it('writes a .tar.gz that system tar extracts: long names (ustar prefix and pax), non-ASCII, empty and block-sized files', async () => {
    const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(90)}.txt`; // > 100: ustar prefix
    const huge = `${'x'.repeat(200)}/${'y'.repeat(120)}.txt`; // name part > 100: pax path
    const files: Array<[string, Buffer]> = [
      ['a.txt', Buffer.from('hello\n')],
      ['sub/empty', Buffer.alloc(0)],
      ['sub/block.bin', Buffer.alloc(512, 7)],
      [deep, Buffer.from('deep')],
      [huge, Buffer.from('huge')],
      ['ünïcode/файл.txt', Buffer.from('utf8')],
    ];
    const out = join(dir, 'x.tar.gz');
    let compressed = 0;
    const bytes = await writeTarGz(files.map(([n, b]) => entry(n, b)), out, (n) => (compressed += n));
    assert.equal(bytes, readFileSync(out).length);
    assert.equal(compressed, bytes);
    const listed = execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, files.map(([n]) => n));
    const x = join(dir, 'x');
    execFileSync('mkdir', ['-p', x]);
    execFileSync('tar', ['-xzf', out, '-C', x]);
    for (const [n, b] of files) assert.deepEqual(readFileSync(join(x, n)), b, n);
  });

  it('refuses absolute and escaping paths, and bodies that do not match their size', async () => {
    for (const name of ['/etc/passwd', '../up', 'a/../../b', 'C:/x', '']) {
      await assert.rejects(async () => {
        for await (const _ of tarStream([entry(name, Buffer.from('x'))]));
      }, /not a relative path/);
    }
    await assert.rejects(async () => {
      for await (const _ of tarStream([{ name: 'a', size: 10, body: () => Buffer.from('short') }]));
    }, /shrank/);
    await assert.rejects(async () => {
      for await (const _ of tarStream([{ name: 'a', size: 1, body: () => Buffer.from('longer') }]));
    }, /grew/);
  });
});
