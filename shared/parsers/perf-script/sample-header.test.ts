import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { isTracepointEvent, parseTime } from './header-fields.js';
import { HeaderParser, type SampleHeader } from './sample-header.js';

/** The fields of a header line, without the parser's own bookkeeping; a fresh parser reads it both ways. */
function header(line: string, parser?: HeaderParser): SampleHeader | undefined {
  const h = (parser ?? new HeaderParser()).parse(line, 0, line.length);
  if (parser === undefined) assert.deepEqual(new HeaderParser({ quick: false }).parse(line, 0, line.length), h, 'the general path');
  if (h === undefined) return undefined;
  const { layout: _, ...fields } = h as SampleHeader & { layout?: number };
  return fields;
}

describe('header lines', () => {
  // Real header lines (fixtures, the FlameGraph corpus, inferno's test data) and what they hold.
  const cases: [string, SampleHeader][] = [
    ['mapstress  6341   528.254236:     250000             task-clock: ', { comm: 'mapstress', tid: 6341, timeNs: 528254236000n, period: 250000, event: 'task-clock', rest: '' }],
    ['my worker 2 21340  4679.388570:     250000 task-clock: ', { comm: 'my worker 2', tid: 21340, timeNs: 4679388570000n, period: 250000, event: 'task-clock', rest: '' }],
    ['w:[1] 21564/21567 [000]  4702.211141:     250000 task-clock: ', { comm: 'w:[1]', pid: 21564, tid: 21567, cpu: 0, timeNs: 4702211141000n, period: 250000, event: 'task-clock', rest: '' }],
    ['1234 21348  4680.350754:     250000 task-clock: ', { comm: '1234', tid: 21348, timeNs: 4680350754000n, period: 250000, event: 'task-clock', rest: '' }],
    ['w:[1] 21341  4679.384327045:     250000 task-clock: ', { comm: 'w:[1]', tid: 21341, timeNs: 4679384327045n, period: 250000, event: 'task-clock', rest: '' }],
    [
      'mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048',
      { comm: 'mapstress', tid: 6341, cpu: 0, timeNs: 528256948000n, event: 'syscalls:sys_enter_bpf', rest: 'cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048' },
    ],
    ['mapstress  6341 [000]   528.256950:  syscalls:sys_exit_bpf: 0x3', { comm: 'mapstress', tid: 6341, cpu: 0, timeNs: 528256950000n, event: 'syscalls:sys_exit_bpf', rest: '0x3' }],
    ['my worker 2 22889 [001]  4804.401788:         probe_work:work: (555e17839310) a=11 c=97', { comm: 'my worker 2', tid: 22889, cpu: 1, timeNs: 4804401788000n, event: 'probe_work:work', rest: '(555e17839310) a=11 c=97' }],
    [
      '            work 21350  4681.417750:     250000 task-clock:      7fcebcf52f38 intel_check_word.constprop.0+0x158 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)',
      { comm: 'work', tid: 21350, timeNs: 4681417750000n, period: 250000, event: 'task-clock', rest: '7fcebcf52f38 intel_check_word.constprop.0+0x158 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)' },
    ],
    ['w:[1] 21341 task-clock: ', { comm: 'w:[1]', tid: 21341, event: 'task-clock', rest: '' }],
    ['21341  4679.384327: task-clock: ', { comm: '', tid: 21341, timeNs: 4679384327000n, event: 'task-clock', rest: '' }],
    ['w:[1]  4679.384327: task-clock: ', { comm: 'w:[1]', tid: -1, timeNs: 4679384327000n, event: 'task-clock', rest: '' }],
    ['java 19983 cycles:', { comm: 'java', tid: 19983, event: 'cycles', rest: '' }],
    ['emulator  4152 75695.008865:          1 cycles:u: ', { comm: 'emulator', tid: 4152, timeNs: 75695008865000n, period: 1, event: 'cycles:u', rest: '' }],
    ['inline-counter 26037  8801.193547:     250000 cpu-clock:uhH: ', { comm: 'inline-counter', tid: 26037, timeNs: 8801193547000n, period: 250000, event: 'cpu-clock:uhH', rest: '' }],
    ['perf   977/977   [000] 7628263.042515: cycles: ', { comm: 'perf', pid: 977, tid: 977, cpu: 0, timeNs: 7628263042515000n, event: 'cycles', rest: '' }],
    ['V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:', { comm: 'V8 WorkerThread', pid: 24636, tid: 25607, cpu: 0, timeNs: 94564109216000n, period: 100, event: 'cycles', rest: '' }],
    ['                 16146 [001]  5299.126543: cycles:ppp: ', { comm: '', tid: 16146, cpu: 1, timeNs: 5299126543000n, event: 'cycles:ppp', rest: '' }],
    ['\tjava\t12688\t[002]\t6544038.708352:\t10309278\tcpu-clock:', { comm: 'java', tid: 12688, cpu: 2, timeNs: 6544038708352000n, period: 10309278, event: 'cpu-clock', rest: '' }],
    ['kworker/0:1H-kblockd   220 [000]   100.000001: sched:sched_switch: prev_comm=a', { comm: 'kworker/0:1H-kblockd', tid: 220, cpu: 0, timeNs: 100000001000n, event: 'sched:sched_switch', rest: 'prev_comm=a' }],
    // Uptimes past 2^53 ns (104 days), nine decimals.
    ['x 1 10000000.123456789: task-clock:', { comm: 'x', tid: 1, timeNs: 10000000123456789n, event: 'task-clock', rest: '' }],
    // simpleperf report_sample.py, today's "%s\t%d/%d [%03d] %d.%06d: %d %s:"
    ['main\t4520/4520 [001] 84915.652361: 250000 cpu-clock:', { comm: 'main', pid: 4520, tid: 4520, cpu: 1, timeNs: 84915652361000n, period: 250000, event: 'cpu-clock', rest: '' }],
    // ... and the old "%s\t%d [%03d] %d.%d:\t\t%d %s:", whose microseconds are not zero-padded
    ['main\t4520 [001] 84915.5678:\t\t250000 cpu-clock:', { comm: 'main', tid: 4520, cpu: 1, timeNs: 84915005678000n, period: 250000, event: 'cpu-clock', rest: '' }],
  ];
  for (const [line, want] of cases) {
    test(JSON.stringify(line).slice(0, 90), () => assert.deepEqual(header(line), want));
  }

  test('task records', () => {
    assert.deepEqual(header('mapstress  6341   528.253990: PERF_RECORD_COMM exec: mapstress:6341/6341'), {
      comm: 'mapstress',
      tid: 6341,
      timeNs: 528253990000n,
      event: '',
      record: 'COMM',
      rest: 'exec: mapstress:6341/6341',
    });
    assert.deepEqual(header('perf-exec     0     0.000000: PERF_RECORD_COMM: perf-exec:6341/6341'), {
      comm: 'perf-exec',
      tid: 0,
      timeNs: 0n,
      event: '',
      record: 'COMM',
      rest: ': perf-exec:6341/6341',
    });
    assert.deepEqual(header('mapstress  6341   528.769273: PERF_RECORD_EXIT(6341:6341):(6340:6340)')?.rest, '(6341:6341):(6340:6340)');
    assert.deepEqual(header('swapper     0     0.000000: PERF_RECORD_MMAP -1/0: [0xffffffff81000000(0x1276508) @ 0xffffffff81000000]: x [kernel.kallsyms]_text')?.record, 'MMAP');
    assert.deepEqual(header('my worker 2 21346  4680.350684: PERF_RECORD_COMM: my worker 2:21344/21346')?.comm, 'my worker 2');
    assert.deepEqual(header('PERF_RECORD_FINISHED_ROUND'), { comm: '', tid: -1, event: '', record: 'FINISHED_ROUND', rest: '' });
  });

  test('not header lines', () => {
    for (const line of [
      '\tffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])',
      'ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])',
      '            13a80b608e0a RegExp:[&<>\\"\\\'] (/tmp/perf-7539.map)',
      '          400510\tmain (/data/local/tmp/a.out)',
      '                  400510 foo::bar (x)',
      'Warning:',
      'Processed 25098 samples and lost 32.92%!',
      'Check IO/CPU overload!',
      '  work.cpp:34',
      '',
      'task-clock:',
    ]) {
      assert.equal(header(line), undefined, line);
    }
  });

  test('lines that read two ways follow what other lines of the event showed', () => {
    // -F comm,tid,event: `1234 21348 task-clock:` is comm 1234 once `work 28370 task-clock:` showed no period.
    const p = new HeaderParser();
    assert.deepEqual(header('work 28370 task-clock:', p), { comm: 'work', tid: 28370, event: 'task-clock', rest: '' });
    assert.deepEqual(header('1234 21348 task-clock:', p), { comm: '1234', tid: 21348, event: 'task-clock', rest: '' });
    // ... and without such a line, the leftmost pid/tid wins.
    assert.deepEqual(header('1234 21348 task-clock:'), { comm: '', tid: 1234, period: 21348, event: 'task-clock', rest: '' });
    // -F comm,time,event: `1234  5101.854254: task-clock:` is comm 1234 once a line showed no pid/tid.
    const q = new HeaderParser();
    assert.deepEqual(header('work  5101.854254: task-clock: ', q)?.tid, -1);
    assert.deepEqual(header('1234  5101.854254: task-clock: ', q), { comm: '1234', tid: -1, timeNs: 5101854254000n, event: 'task-clock', rest: '' });
    assert.deepEqual(header('my worker 2  5101.854254: task-clock: ', q)?.comm, 'my worker 2');
    // The default layout (tid and time) is never in doubt.
    const r = new HeaderParser();
    assert.deepEqual(header('work 28370  5101.854254: task-clock:', r)?.tid, 28370);
    assert.deepEqual(header('1234 21348  5101.854254: task-clock:', r)?.comm, '1234');
  });
});

describe('parseTime', () => {
  const t = (s: string, usec = false) => parseTime(s, 0, s.length, usec);
  test('decimals of any count, exactly', () => {
    assert.equal(t('528.254236'), 528254236000n);
    assert.equal(t('4679.384327045'), 4679384327045n);
    assert.equal(t('0.000000'), 0n);
    assert.equal(t('84915.6523'), 84915652300000n);
    assert.equal(t('84915.65236'), 84915652360000n);
    assert.equal(t('1.1234567891'), 1123456789n, 'digits past nanoseconds are cut');
  });
  test('uptimes past 2^53 ns', () => {
    assert.equal(t('10000000.123456789'), 10000000123456789n);
    assert.equal(t('9007199.254740993'), 9007199254740993n);
    assert.equal(t('123456789012345678.000000001'), 123456789012345678000000001n);
  });
  test('old simpleperf: unpadded microseconds', () => {
    assert.equal(t('84915.5678', true), 84915005678000n);
    assert.equal(t('84915.652361', true), 84915652361000n);
  });
});

test('isTracepointEvent', () => {
  for (const e of ['sched:sched_switch', 'syscalls:sys_enter_bpf', 'probe_work:work__return', 'raw_syscalls:sys_exit', 'probe:do_sys_open']) assert.ok(isTracepointEvent(e), e);
  for (const e of ['task-clock', 'cycles:ppp', 'cpu-clock:uhH', 'cycles:u', 'page-faults', 'instructions:k']) assert.ok(!isTracepointEvent(e), e);
});

describe('the one-pass reading of usual lines', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const dirs = [join(root, 'test/fixtures/perf-script/sample-formats'), join(root, '../shared/corpus/flamegraph-perf')];
  const files = dirs.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d).filter((f) => /\.txt(\.gz)?$/.test(f)).map((f) => join(d, f)));
  files.push(join(root, 'test/fixtures/samples/mapstress-boxed/perf.script.txt.gz'));

  test('reads every header line of the fixtures, the corpus and mapstress as the general path does', () => {
    let compared = 0;
    for (const file of files) {
      let bytes = readFileSync(file);
      if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
      const text = bytes.toString('utf8');
      const fast = new HeaderParser();
      const general = new HeaderParser({ quick: false });
      let p = 0;
      while (p < text.length) {
        let nl = text.indexOf('\n', p);
        if (nl < 0) nl = text.length;
        const c = text.charCodeAt(p);
        if (nl > p && c !== 0x09 && c !== 0x23) {
          assert.deepEqual(fast.parse(text, p, nl), general.parse(text, p, nl), `${file}: ${text.slice(p, nl)}`);
          compared++;
        }
        p = nl + 1;
      }
    }
    assert.ok(compared > 40000, `${compared} lines`);
  });
});
