import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lineTooLong, TextChunker } from './text-chunks.js';

function chunker(max: number) {
  const events: string[] = [];
  const c = new TextChunker({ text: (t) => events.push(t), tooLong: () => events.push('<too long>') }, max);
  return { c, events, carried: () => (c as unknown as { carryBytes: number }).carryBytes };
}

describe('TextChunker', () => {
  test('whole lines are decoded once per chunk; the partial line is carried', () => {
    const { c, events } = chunker(1000);
    c.push(Buffer.from('a\nb\nc'));
    c.push(Buffer.from('d\ne'));
    c.end();
    assert.deepEqual(events, ['a\nb\n', 'cd\n', 'e']);
  });

  test('a line that passes the limit across chunks is dropped without being gathered', () => {
    const { c, events, carried } = chunker(1024);
    c.push(Buffer.from('before\nxx'));
    const block = Buffer.alloc(64 * 1024, 0x78);
    let most = 0;
    for (let i = 0; i < 160; i++) {
      c.push(block); // 10 MiB of one line
      most = Math.max(most, carried());
    }
    c.push(Buffer.from('x\nafter\n'));
    c.end();
    assert.deepEqual(events, ['before\n', '<too long>', 'after\n']);
    assert.ok(most <= 1024, `carried ${most} bytes`);
  });

  test('a long line inside one chunk is left to the consumer (lineTooLong)', () => {
    const { c, events } = chunker(4);
    c.push(Buffer.from('123456789\nab\n'));
    c.end();
    assert.deepEqual(events, ['123456789\nab\n']);
  });

  test('UTF-8 split across chunks decodes whole', () => {
    const bytes = Buffer.from('\u20ac\u{1f600}\n\u00fc', 'utf8');
    const { c, events } = chunker(100);
    for (const b of bytes) c.push(Uint8Array.of(b));
    c.end();
    assert.deepEqual(events, ['\u20ac\u{1f600}\n', '\u00fc']);
  });

  test('the carried bytes are copies: the caller may reuse its buffer', () => {
    const { c, events } = chunker(100);
    const buf = Buffer.from('abc');
    c.push(buf);
    buf.fill(0x7a);
    c.push(Buffer.from('\n'));
    assert.deepEqual(events, ['abc\n']);
  });
});

test('lineTooLong counts UTF-8 bytes', () => {
  const s = 'x\u20ac\u20ac\u20acx';
  assert.equal(lineTooLong(s, 0, s.length, 11), false);
  assert.equal(lineTooLong(s, 0, s.length, 10), true);
  assert.equal(lineTooLong(s, 1, 4, 9), false);
  assert.equal(lineTooLong('abcdef', 0, 6, 5), true);
});
