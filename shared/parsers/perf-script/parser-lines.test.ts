// The parser on hand-made inputs: what it does with lines it cannot read, long lines, encodings, line
// endings and the end of the input. Real recordings are in parser.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PerfHeader, PerfSample, PerfTaskEvent, PerfWarning } from '../../model/perf.js';
import { PerfScriptParser, type PerfScriptStats } from './index.js';

interface Out {
  samples: PerfSample[];
  tasks: PerfTaskEvent[];
  headers: PerfHeader[];
  warnings: PerfWarning[];
  stats: PerfScriptStats;
}

function run(input: string | Uint8Array, chunk?: number, maxLineBytes?: number): Out {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const out: Omit<Out, 'stats'> = { samples: [], tasks: [], headers: [], warnings: [] };
  const p = new PerfScriptParser(
    {
      sample: (s) => out.samples.push(s),
      task: (t) => out.tasks.push(t),
      header: (h) => out.headers.push(h),
      warning: (w) => out.warnings.push(w),
    },
    maxLineBytes === undefined ? { file: 't' } : { file: 't', maxLineBytes },
  );
  const size = chunk ?? Math.max(1, bytes.length);
  for (let at = 0; at < bytes.length; at += size) p.push(bytes.subarray(at, at + size));
  return { ...out, stats: p.end() };
}

/** Runs the input whole and in small chunks; all must agree. */
function runAll(input: string | Uint8Array, maxLineBytes?: number): Out {
  const whole = run(input, undefined, maxLineBytes);
  const want = show(whole);
  for (const chunk of [1, 2, 3, 5, 64]) assert.equal(show(run(input, chunk, maxLineBytes)), want, `chunks of ${chunk}`);
  return whole;
}

function show(o: Out): string {
  return JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

const SAMPLE = 'work 1 1.000000: 1 task-clock:\n\tffffffff81000000 a+0x1 ([kernel.kallsyms])\n\n';

describe('lines the parser cannot read', () => {
  test('become warnings with their line numbers; the rest is read', () => {
    const input = [
      'work 1 1.000000: 1 task-clock:',
      '\tffffffff81000000 a+0x1 ([kernel.kallsyms])',
      '\t          THIS_IS_A_WEIRD_LINE',
      '',
      'garbage here',
      '\t    7f12 orphan (x)',
      'Warning:',
      'Processed 10 events and lost 2 chunks!',
      'work 1 2.000000: 1 task-clock:',
      '\t    7f12 main+0x4 (/x)',
      '',
    ].join('\n');
    const o = runAll(input);
    assert.deepEqual(
      o.warnings.map((w) => [w.line, w.message.replace(/:.*/, ''), w.fromPerf, w.lost]),
      [
        [3, 'unparseable stack line', undefined, undefined],
        [5, 'unparseable line', undefined, undefined],
        [6, 'stack line without a sample header line', undefined, undefined],
        [8, 'Processed 10 events and lost 2 chunks!', true, 2],
      ],
    );
    assert.equal(o.warnings[0]!.message, 'unparseable stack line: "\\t          THIS_IS_A_WEIRD_LINE"');
    assert.deepEqual(o.samples.map((s) => [s.line, s.frames.length]), [[1, 1], [9, 1]]);
    assert.equal(o.stats.warnings, 4);
    assert.equal(o.stats.lines, 10);
  });

  test('binary garbage, invalid UTF-8 and NUL bytes never throw', () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    const o = runAll(Buffer.concat([Buffer.from(SAMPLE), garbage, Buffer.from('\n' + SAMPLE)]));
    assert.equal(o.samples.at(-1)!.frames[0]!.symbol, 'a');
    assert.ok(o.warnings.length > 0);
    assert.ok(o.warnings.every((w) => w.line > 3 && !w.fromPerf));
  });

  test('invalid UTF-8 in a comm or a symbol becomes U+FFFD; multi-byte characters survive any chunking', () => {
    const bytes = Buffer.concat([
      Buffer.from('w'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' 7 1.000000: 1 task-clock:\n\t    7f12 f\u00fcr_\u20ac_\u{1f600}+0x1 (/x)\n\n', 'utf8'),
    ]);
    const o = runAll(bytes);
    assert.equal(o.samples[0]!.comm, 'w\ufffd\ufffd');
    assert.equal(o.samples[0]!.frames[0]!.symbol, 'f\u00fcr_\u20ac_\u{1f600}');
    assert.equal(o.warnings.length, 0);
  });
});

describe('long lines', () => {
  test('a line longer than maxLineBytes is a warning and is skipped, in any chunking', () => {
    const long = `\t    7f12 ${'x'.repeat(500)} (/x)`;
    const input = `work 1 1.000000: 1 task-clock:\n${long}\n\t    7f13 b (/x)\n\nwork 1 2.000000: 1 task-clock:\n\t    7f14 c (/x)\n`;
    const o = runAll(input, 100);
    assert.deepEqual(o.warnings, [{ line: 2, message: 'line longer than the limit of 100 bytes; skipped' }]);
    assert.deepEqual(o.samples.map((s) => [s.line, s.frames.map((f) => f.symbol)]), [[1, ['b']], [5, ['c']]]);
    assert.equal(o.stats.lines, 6);
  });

  test('the limit counts bytes, not characters', () => {
    const line = `\t    7f12 ${'\u20ac'.repeat(30)} (/x)`; // 30 characters, 90 bytes of symbol
    assert.equal(runAll(`work 1 1.000000: 1 task-clock:\n${line}\n`, 100).warnings.length, 1);
    assert.equal(runAll(`work 1 1.000000: 1 task-clock:\n${line}\n`, 200).warnings.length, 0);
  });

  test('a long last line without a line break', () => {
    const o = runAll(`${SAMPLE}${'y'.repeat(300)}`, 100);
    assert.deepEqual(o.warnings.map((w) => w.line), [4]);
    assert.equal(o.stats.lines, 4);
  });
});

describe('line endings and the end of the input', () => {
  test('CRLF reads as LF', () => {
    const lf = run(`${SAMPLE}work 1 2.000000: 1 task-clock:\n\t    7f12 main+0x4 (/x)\n`);
    const crlf = runAll(`${SAMPLE}work 1 2.000000: 1 task-clock:\n\t    7f12 main+0x4 (/x)\n`.replace(/\n/g, '\r\n'));
    assert.deepEqual(crlf.samples, lf.samples);
    assert.equal(crlf.warnings.length, 0);
  });

  test('a last sample without an empty line or a line break is emitted, marked eof', () => {
    const o = runAll('work 1 1.000000: 1 task-clock:\n\t    7f12 main+0x4 (/x)');
    assert.equal(o.samples.length, 1);
    assert.equal(o.samples[0]!.unclosed, 'eof');
    assert.deepEqual(o.samples[0]!.frames, [{ address: '7f12', symbol: 'main', offset: '0x4', dso: '/x' }]);
  });

  test('samples closed by the next header line are marked next; by an empty line, not at all', () => {
    const o = runAll('a 1 1.000000: 1 task-clock:  7f12 main+0x4 (/x)\na 1 2.000000: 1 task-clock:\n\t    7f12 f (/x)\n\n');
    assert.deepEqual(o.samples.map((s) => s.unclosed), ['next', undefined]);
  });

  test('a task record closes the open sample', () => {
    const o = runAll('a 1 1.000000: 1 task-clock:\n\t    7f12 f (/x)\na 1 1.500000: PERF_RECORD_EXIT(1:1):(0:0)\n');
    assert.deepEqual([o.samples[0]!.unclosed, o.tasks[0]!.record, o.tasks[0]!.line], ['next', 'EXIT', 3]);
  });

  test('empty input, blank lines, comments', () => {
    assert.deepEqual(run('').stats, { bytes: 0, lines: 0, samples: 0, taskEvents: 0, warnings: 0 });
    const o = runAll('\n   \n\t\n#\n# a comment\n');
    assert.deepEqual([o.samples.length, o.warnings.length, o.headers.length, o.stats.lines], [0, 0, 0, 5]);
  });

  test('a header block cut off by the end of the input is still given', () => {
    const o = runAll('# ========\n# hostname : vm\n# perf version : 6.1.187\n');
    assert.deepEqual([o.headers.length, o.headers[0]!.hostname, o.headers[0]!.perfVersion], [1, 'vm', '6.1.187']);
  });

  test('the header block ends at its closing bar; samples follow', () => {
    const o = runAll(`# ========\n# hostname : vm\n# ========\n#\n${SAMPLE}`);
    assert.equal(o.headers.length, 1);
    assert.equal(o.samples[0]!.line, 5);
  });

  test('end() is idempotent; push() after it throws; a sink without callbacks is fine', () => {
    const p = new PerfScriptParser({}, { file: 'f.txt' });
    p.push(Buffer.from(SAMPLE));
    const stats = p.end();
    assert.deepEqual(p.end(), stats);
    assert.equal(stats.samples, 1);
    assert.throws(() => p.push(Buffer.from('x')), /f\.txt: PerfScriptParser\.push after end\(\)/);
  });
});

describe('payloads', () => {
  test('tracepoint payloads stay raw, are parsed, and never become frames', () => {
    const o = runAll(
      'mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: 0x00000002, uattr: 0xc0000666b8, size: 0x00000048\n' +
        '\t            326e runtime/internal/syscall.Syscall6+0xe (/go/src/mapstress/mapstress)\n\n' +
        'mapstress  6341 [000]   528.256950:  syscalls:sys_exit_bpf: 0x0\n\n',
    );
    assert.deepEqual(o.samples.map((s) => [s.event, s.payload, s.frames.length, s.tracepoint?.type]), [
      ['syscalls:sys_enter_bpf', 'cmd: 0x00000002, uattr: 0xc0000666b8, size: 0x00000048', 1, 'sys_enter'],
      ['syscalls:sys_exit_bpf', '0x0', 0, 'sys_exit'],
    ]);
  });

  test('PERF_RECORD_LOST is a task record and a warning from perf', () => {
    const o = runAll('python3 23274 [001]  4855.957914: PERF_RECORD_LOST lost 62\n');
    assert.deepEqual([o.tasks[0]!.record, o.tasks[0]!.detail], ['LOST', 'lost 62']);
    assert.deepEqual(o.warnings, [{ line: 1, message: 'python3 23274 [001]  4855.957914: PERF_RECORD_LOST lost 62', fromPerf: true, lost: 62 }]);
  });
});

describe('old simpleperf report_sample.py output', () => {
  // "%s\t%d [%03d] %d.%d:\t\t%d %s:" then "%16x\t%s (%s)" per frame (simpleperf/scripts/report_sample.py, 2016)
  test('unpadded microseconds, tab-separated frames', () => {
    const o = runAll('main\t4520 [001] 84915.5678:\t\t250000 cpu-clock:\n          400510\tmain (/data/local/tmp/a.out)\n    7f3b1c2d3e4f\t__libc_start_main (/system/lib64/libc.so)\n\n');
    const s = o.samples[0]!;
    assert.deepEqual([s.comm, s.tid, s.cpu, s.timeNs, s.period, s.event], ['main', 4520, 1, 84915005678000n, 250000, 'cpu-clock']);
    assert.deepEqual(s.frames.map((f) => f.symbol), ['main', '__libc_start_main']);
    assert.equal(o.warnings.length, 0);
  });
});
