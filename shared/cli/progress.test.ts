import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capturedStream } from '../../test/helpers/cli-io.js';
import { analysisStatusPrinter, transferProgress } from './progress.js';

const stream = capturedStream;

const MB = 1024 * 1024;

describe('transfer progress', () => {
  it('in CI logs: a plain line per 10%, however many chunks', async () => {
    const s = stream(false);
    let t = 0;
    const p = transferProgress(s, 'upload', 30 * MB, () => t);
    for (let i = 0; i < 240; i++) {
      t += 10;
      p.add(MB / 8);
    }
    p.done();
    await new Promise((r) => setImmediate(r));
    const lines = s.text().trim().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines[4], 'upload  40% 12.0/30.0 MB 12.5 MB/s');
    assert.match(lines[10]!, /^upload 100% 30\.0\/30\.0 MB/);
  });

  it('on a terminal: one line redrawn in place with a bar, at most 10 times a second, a newline at the end', async () => {
    const s = stream(true);
    let t = 0;
    const p = transferProgress(s, 'upload', 10 * MB, () => t);
    for (let i = 0; i < 80; i++) {
      t += 5;
      p.add(MB / 8);
    }
    p.add(-MB); // a failed attempt taken back
    assert.equal(p.bytes, 9 * MB);
    p.done();
    await new Promise((r) => setImmediate(r));
    const text = s.text();
    assert.ok(text.endsWith('\n') && !text.slice(0, -1).includes('\n'));
    const draws = text.split('\r\x1b[2K').filter(Boolean);
    assert.ok(draws.length <= 7, `${draws.length} draws in 0.4 s`);
    assert.match(draws.at(-1)!, /^upload \[#{20}\] 100% 10\.0\/10\.0 MB \d+\.\d MB\/s\n$/);
  });

  it('analysis status: a line per status change and per 10% while running', async () => {
    const s = stream(false);
    const p = analysisStatusPrinter(s);
    p.update('pending');
    p.update('pending');
    for (let read = 0; read <= 100; read += 5) p.update('running', { archiveBytesRead: read * MB, archiveBytes: 100 * MB, entriesRead: 1 });
    p.update('complete');
    p.done();
    await new Promise((r) => setImmediate(r));
    const lines = s.text().trim().split('\n');
    assert.equal(lines[0], 'analysis pending');
    assert.equal(lines.filter((l) => l.startsWith('analysis running')).length, 11);
    assert.equal(lines.at(-1), 'analysis complete');
  });
});
