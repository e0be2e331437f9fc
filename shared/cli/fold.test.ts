// `tracelens fold`: bin/tracelens as a child process on our mapstress recording, and foldCommand in-process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { DEFAULT_LIMITS } from '../limits.js';
import { fromBuffer } from '../parsers/bytes.js';
import { foldCommand, foldPerfScript } from './fold.js';
import type { CliIo } from './io.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAPSTRESS = `${ROOT}test/fixtures/samples/mapstress-boxed/perf.script.txt.gz`;

function tracelens(args: string[], input?: Buffer) {
  const r = spawnSync(`${ROOT}bin/tracelens`, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/tracelens fold', () => {
  it('folds the gzipped mapstress recording as stackcollapse-perf.pl does', () => {
    const r = tracelens(['fold', MAPSTRESS]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    // The first sample: a page fault under the Go scheduler's init, 250000 ns of task-clock.
    assert.ok(
      lines.includes(
        'mapstress;runtime.rt0_go.abi0;runtime.schedinit;asm_exc_page_fault;exc_page_fault;handle_mm_fault;' +
          '__handle_mm_fault;do_anonymous_page;vma_alloc_folio_noprof;alloc_pages_mpol;__alloc_frozen_pages_noprof;' +
          'get_page_from_freelist;clear_page_erms 250000',
      ),
    );
    assert.ok(lines.includes('mapstress;runtime.rt0_go.abi0;runtime.schedinit;runtime.cpuinit;internal/cpu.Initialize;internal/cpu.cpuid.abi0 250000'));
    // Boxing on the hot path: the map assignment that allocates.
    assert.ok(lines.includes('mapstress;runtime.goexit.abi0;runtime.main;main.main;main.boxed;runtime.mapassign_faststr;runtime.mallocgc;runtime.heapBitsSetType 5250000'));
    // Every line is `stack weight`, sorted, with distinct stacks; 1413 task-clock samples of 250000 ns,
    // and the 40882 tracepoint samples the script cannot tell from them, at 1 each.
    assert.equal(lines.length, 568);
    const stacks = lines.map((l) => l.slice(0, l.lastIndexOf(' ')));
    assert.deepEqual([...stacks].sort(), stacks);
    assert.equal(new Set(stacks).size, stacks.length);
    assert.equal(lines.reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0), 1413 * 250000 + 40882);
  });

  it('reads stdin (`-` or no FILE), and applies --tid, --kernel and --event-filter', () => {
    const text = zlib.gunzipSync(readFileSync(MAPSTRESS));
    const r = tracelens(['fold', '-', '--tid', '--kernel', '--event-filter', 'task-clock'], text);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.every((l) => /^mapstress-\?\/\d+;/.test(l)), lines.find((l) => !/^mapstress-\?\/\d+;/.test(l)));
    assert.ok(lines.some((l) => l.startsWith('mapstress-?/6341;runtime.rt0_go.abi0;runtime.schedinit;asm_exc_page_fault_[k];')));
    assert.equal(tracelens(['fold'], text).stdout, tracelens(['fold', MAPSTRESS]).stdout);
  });

  it('exits 2 with the usage on bad arguments, 1 on a missing file', () => {
    const two = tracelens(['fold', 'a.txt', 'b.txt']);
    assert.equal(two.status, 2);
    assert.match(two.stderr, /fold takes one FILE/);
    assert.match(two.stderr, /tracelens fold FILE \[--pid\]/);
    const bad = tracelens(['fold', '--bogus', MAPSTRESS]);
    assert.equal(bad.status, 2);
    const missing = tracelens(['fold', `${ROOT}no-such-file.txt`]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no-such-file\.txt/);
    const dir = tracelens(['fold', `${ROOT}test`]);
    assert.equal(dir.status, 1);
    assert.match(dir.stderr, /test: EISDIR/);
  });
});

describe('foldCommand', () => {
  function io(stdin: string) {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = new PassThrough().on('data', (d) => out.push(String(d)));
    const stderr = new PassThrough().on('data', (d) => err.push(String(d))) as unknown as NodeJS.WriteStream;
    const cli: CliIo = { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]) };
    return { cli, out, err };
  }

  it('prints the script notice to stderr and the stacks to stdout', async () => {
    const text = [
      'noploop 21796 [001] 1410597.984841: instructions: ',
      '\t             993 main (/root/noploop)',
      '',
      'noploop 21796 [001] 1410597.984850: cycles: ',
      '\t             69b main (/root/noploop)',
      '',
      'noploop 21796 [001] 1410597.984860: instructions: ',
      '\t             69b main (/root/noploop)',
      '\t             123 [unknown] (/usr/lib/libc.so.6)',
      '',
      '',
    ].join('\n');
    const { cli, out, err } = io(text);
    assert.equal(await foldCommand(['--addrs'], cli, DEFAULT_LIMITS), 0);
    assert.equal(out.join(''), 'noploop;[libc.so.6 <123>];main 1\nnoploop;main 1\n');
    assert.equal(err.join(''), 'Filtering for events of type: cycles\n');
  });

  it('prints the parser warnings after the notices, the first 20 then a count', async () => {
    const bad = Array.from({ length: 25 }, (_, i) => `?? garbage line ${i}`).join('\n');
    const run = await foldPerfScript(fromBuffer(Buffer.from(`${bad}\n`)), { file: 'bad.txt' });
    assert.equal(run.stdout, '');
    assert.equal(run.warningCount, 25);
    assert.equal(run.warnings.length, 20);
    assert.equal(run.stderr.length, 21);
    assert.match(run.stderr[0]!, /^bad\.txt:1: /);
    assert.equal(run.stderr[20], 'bad.txt: ... and 5 more warnings');
  });

  it('reads gzip', async () => {
    const gz = zlib.gzipSync('app 1 1.0: 5 cycles: \n\t1 main (/bin/app)\n\n');
    const run = await foldPerfScript(fromBuffer(gz, 7), { file: 'x.gz' });
    assert.equal(run.stdout, 'app;main 5\n');
  });
});
