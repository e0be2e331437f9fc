import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PerfFrame, PerfSample, PerfTaskEvent } from '../../model/perf.js';
import { compareCodePoints, formatFolded, PerfEventFolder, PerfFolder, perlNumber, type FoldOptions } from './fold.js';

// Hand-built records, as the parser yields them for the quoted lines.

function frame(address: string | undefined, symbol: string, dso?: string, extra: Partial<PerfFrame> = {}): PerfFrame {
  const f: PerfFrame = { symbol, ...extra };
  if (address !== undefined) f.address = address;
  if (dso !== undefined) f.dso = dso;
  return f;
}

let line = 1;
function sample(fields: Partial<PerfSample> & { frames: PerfFrame[] }): PerfSample {
  return { kind: 'sample', line: line++, comm: 'app', tid: 100, timeNs: 1_000_000_000n, event: 'cycles', payload: '', ...fields };
}

function fold(samples: PerfSample[], opts: FoldOptions = {}): string {
  const f = new PerfFolder(opts);
  for (const s of samples) f.sample(s);
  return f.format();
}

// dd 29776 666709.771979:   10101010 cpu-clock:
// 	          414b3b fsnotify (/lib/modules/4.1.0-virtual/build/vmlinux)
// 	          3d6b4c vfs_read (/lib/modules/4.1.0-virtual/build/vmlinux)
// 	           e5f70 read (/lib/x86_64-linux-gnu/libc-2.15.so)
// 	               0 [unknown] ([unknown])
const VMLINUX = '/lib/modules/4.1.0-virtual/build/vmlinux';
const dd = (): PerfSample =>
  sample({
    comm: 'dd',
    tid: 29776,
    period: 10101010,
    event: 'cpu-clock',
    frames: [
      frame('414b3b', 'fsnotify', VMLINUX),
      frame('3d6b4c', 'vfs_read', VMLINUX),
      frame('e5f70', 'read', '/lib/x86_64-linux-gnu/libc-2.15.so'),
      frame('0', '[unknown]', '[unknown]'),
    ],
  });

describe('PerfFolder (stackcollapse-perf.pl)', () => {
  it('folds root first under the process name, weighted by the period, summed', () => {
    assert.equal(fold([dd(), dd()]), 'dd;[unknown];read;vfs_read;fsnotify 20202020\n');
    assert.equal(fold([dd(), dd()], { weighting: 'samples' }), 'dd;[unknown];read;vfs_read;fsnotify 2\n');
  });

  it('weighs 1 when no period is printed, and sorts lines as Perl sorts bytes', () => {
    const s = (sym: string) => sample({ frames: [frame('1', sym, '/bin/app')] });
    assert.equal(fold([s('b'), s('a'), s('B'), s('a'), s('a_b'), s('a;b')]), 'app;B 1\napp;a 2\napp;a:b 1\napp;a_b 1\napp;b 1\n');
  });

  it('--pid and --tid: comm-PID and comm-PID/TID, `?` without a pid, and a tid of 0 taken as missing', () => {
    const s = sample({ comm: 'iperf', pid: 27409, tid: 28744, frames: [frame('1', 'main', '/bin/iperf')] });
    const tidOnly = sample({ comm: 'java', tid: 3244, frames: [frame('1', 'main', '/bin/java')] });
    // swapper     0/0     [001]  1333.768770: cpu-clock:  (the script's `if (not $tid)`)
    const idle = sample({ comm: 'swapper', pid: 0, tid: 0, frames: [frame('1', 'cpu_idle', '[kernel.kallsyms]')] });
    assert.equal(fold([s, tidOnly, idle], { pid: true }), 'iperf-27409;main 1\njava-?;main 1\nswapper-?;cpu_idle 1\n');
    assert.equal(fold([s, tidOnly, idle], { tid: true }), 'iperf-27409/28744;main 1\njava-?/3244;main 1\nswapper-?/0;cpu_idle 1\n');
    assert.equal(fold([s], { pid: true, tid: true }), 'iperf-27409/28744;main 1\n');
  });

  it('spaces in comms become underscores; a comm the script cuts at a number is cut the same way', () => {
    // V8 WorkerThread 25607 4794564.109216: cycles:
    const v8 = sample({ comm: 'V8 WorkerThread', tid: 25607, frames: [frame('1', 'run', '/bin/node')] });
    // `^(\S.+?)\s+(\d+)` is lazy: "worker 2 io 812 ..." is the comm "worker" with tid 2.
    const cut = sample({ comm: 'worker 2 io', tid: 812, frames: [frame('1', 'run', '/bin/node')] });
    assert.equal(fold([v8, cut], { tid: true }), 'V8_WorkerThread-?/25607;run 1\nworker-?/2;run 1\n');
  });

  it('drops samples whose header the script cannot read (an empty comm)', () => {
    assert.equal(fold([sample({ comm: '', frames: [frame('1', 'f', '/bin/x')] }), dd()]), 'dd;[unknown];read;vfs_read;fsnotify 10101010\n');
  });

  it('--kernel: _[k] after functions of [modules] and vmlinux, never [unknown]', () => {
    assert.equal(fold([dd()], { kernel: true }), 'dd;[unknown];read;vfs_read_[k];fsnotify_[k] 10101010\n');
    // 7d8 ipv4_conntrack_local+0x7f8f80b8 ([nf_conntrack_ipv4])
    const mod = sample({ frames: [frame('7d8', 'ipv4_conntrack_local', '[nf_conntrack_ipv4]', { offset: '0x7f8f80b8' })] });
    assert.equal(fold([mod], { kernel: true }), 'app;ipv4_conntrack_local_[k] 1\n');
  });

  it('--jit: _[j] after functions of /tmp/perf-PID.map, once', () => {
    // 7f722d142778 Ljava/io/PrintStream;::print (/tmp/perf-19982.map)
    const s = sample({
      comm: 'java',
      frames: [frame('7f722d142778', 'Ljava/io/PrintStream;::print', '/tmp/perf-19982.map'), frame('7f1', 'Lx/Y;::m_[j]', '/tmp/perf-19982.map')],
    });
    assert.equal(fold([s], { jit: true }), 'java;x/Y:::m_[j];java/io/PrintStream:::print_[j] 1\n');
    assert.equal(fold([s], { all: true, pid: true }), 'java-?;Lx/Y:::m_[j];Ljava/io/PrintStream:::print_[j] 1\n');
    assert.equal(fold([dd()], { all: true }), 'dd;[unknown];read;vfs_read_[k];fsnotify_[k] 10101010\n');
  });

  it('[unknown]: the module file name in brackets, with --addrs the pc too', () => {
    const s = sample({ frames: [frame('7f3a', '[unknown]', '/usr/lib/libc.so.6'), frame('0', '[unknown]', '[unknown]')] });
    assert.equal(fold([s]), 'app;[unknown];[libc.so.6] 1\n');
    assert.equal(fold([s], { addrs: true }), 'app;[unknown <0>];[libc.so.6 <7f3a>] 1\n');
    // [kernel.kallsyms] is a kernel module: `[[kernel.kallsyms]]_[k]`, as the script prints it
    const k = sample({ frames: [frame('ffffffff81', '[unknown]', '[kernel.kallsyms]')] });
    assert.equal(fold([k], { kernel: true }), 'app;[[kernel.kallsyms]]_[k] 1\n');
  });

  it('tidies names: arguments dropped except in Go methods and (anonymous namespace), ; to :, no quotes', () => {
    const s = sample({
      frames: [
        frame('1', 'JavaCalls::call_helper(JavaValue*, methodHandle*)', '/x/libjvm.so'),
        frame('2', 'net/http.(*Client).Do', '/bin/app'),
        frame('3', 'ns::(anonymous namespace)::run(int)', '/bin/app'),
        frame('4', `RegExp:[&<>"']`, '/tmp/perf-7539.map'),
        frame('5', 'Lfoo;bar', '/bin/app'),
      ],
    });
    assert.equal(fold([s]), 'app;Lfoo:bar;RegExp:[&<>];ns::(anonymous namespace)::run;net/http.(*Client).Do;JavaCalls::call_helper 1\n');
  });

  it('condenses Java signatures for the process java only', () => {
    // Lorg/mozilla/javascript/MemberBox;.<init>(Ljava/lang/reflect/Method;)V
    const f = [frame('1', 'Lorg/mozilla/javascript/MemberBox;.<init>(Ljava/lang/reflect/Method;)V', '/tmp/perf-1.map'), frame('2', 'LBusy;::main', '/tmp/perf-1.map')];
    assert.equal(fold([sample({ comm: 'java', frames: f })]), 'java;LBusy:::main;org/mozilla/javascript/MemberBox:.<init> 1\n');
    assert.equal(fold([sample({ comm: 'javac', frames: f })]), 'javac;LBusy:::main;Lorg/mozilla/javascript/MemberBox:.<init> 1\n');
  });

  it('splits perf-map-agent inline chains a->b->c into a;b_[i];c_[i]', () => {
    const s = sample({
      comm: 'java',
      frames: [frame('1', 'Lx/A;::a->Lx/B;::b->Lx/C;::c_[i]', '/tmp/perf-9.map'), frame('2', 'root->', '/tmp/perf-9.map')],
    });
    assert.equal(fold([s], { jit: true }), 'java;root_[j];x/A:::a_[j];x/B:::b_[i];x/C:::c_[i] 1\n');
  });

  it('skips frames named like a process, `(...)`', () => {
    const s = sample({ frames: [frame('1', 'leaf', '/bin/app'), frame('2', '(/bin/app)', '/bin/app')] });
    assert.equal(fold([s]), 'app;leaf 1\n');
  });

  it('reads odd frames as the script reads the line: (deleted), (inlined), no address, no module', () => {
    // 7f01 g+0x4 (/opt/app (deleted))  →  the module is "deleted", the function "g+0x4 (/opt/app"
    const deleted = sample({ frames: [frame('7f01', 'g', '/opt/app (deleted)', { offset: '0x4' })] });
    assert.equal(fold([deleted]), 'app;g+0x4  1\n');
    // 55d0c8 inline_fn (inlined)
    const inlined = sample({ frames: [frame('55d0c8', 'inline_fn', undefined, { inlined: true }), frame('55d0c8', '[unknown]', undefined, { inlined: true })] });
    assert.equal(fold([inlined], { kernel: true }), 'app;[inlined];inline_fn 1\n');
    // a frame without its module is no stack line at all for the script
    assert.equal(fold([sample({ frames: [frame('1', 'lost'), frame('2', 'kept', '/bin/app')] })]), 'app;kept 1\n');
    // no address: `^\s*(\w+)` takes the start of the name as the pc
    assert.equal(fold([sample({ frames: [frame(undefined, 'do_work', '/bin/app')] })]), 'app;k 1\n');
  });

  it('keeps only the first event type seen, and says which one it drops', () => {
    const s = (event: string, sym: string) => sample({ event, frames: [frame('1', sym, '/bin/app')] });
    const f = new PerfFolder();
    for (const x of [s('instructions', 'a'), s('cycles', 'b'), s('cycles', 'c'), s('instructions', 'd')]) f.sample(x);
    assert.equal(f.format(), 'app;a 1\napp;d 1\n');
    assert.deepEqual(f.notices, ['Filtering for events of type: cycles']);

    const g = new PerfFolder({ eventFilter: 'cycles' });
    for (const x of [s('instructions', 'a'), s('cycles', 'b')]) g.sample(x);
    assert.equal(g.format(), 'app;b 1\n');
    assert.deepEqual(g.notices, []);
  });

  it('sees no event where the line does not end in `event:` (payloads, no time): no filter, weight 1', () => {
    // mapstress  6341 [000]   528.254532:     sched:sched_wakeup: comm=khugepaged pid=38 prio=139 target_cpu=000
    const wake = sample({ event: 'sched:sched_wakeup', payload: 'comm=khugepaged pid=38 prio=139 target_cpu=000', period: 1, frames: [frame('1', 'ttwu', '[kernel.kallsyms]')] });
    const clock = sample({ event: 'task-clock', period: 250000, frames: [frame('2', 'main', '/bin/app')] });
    // java  3244 cpu-clock:
    const noTime = sample({ event: 'cpu-clock', timeNs: undefined, period: 7, frames: [frame('3', 'idle', '/bin/app')] });
    assert.equal(fold([wake, clock, noTime, wake]), 'app;idle 1\napp;main 250000\napp;ttwu 2\n');
    // a payload that ends in `x:` does read as an event (the script's regex is greedy about it)
    const odd = sample({ event: 'probe:f', payload: '12 other:', frames: [frame('4', 'f', '/bin/app')] });
    const f = new PerfFolder();
    f.sample(clock);
    f.sample(odd);
    assert.deepEqual(f.notices, ['Filtering for events of type: other']);
  });

  it('counts a stack only when an empty line closes it', () => {
    const cut = { ...dd(), unclosed: 'eof' as const };
    assert.equal(fold([dd(), cut]), 'dd;[unknown];read;vfs_read;fsnotify 10101010\n');
    // one-line samples (no call graph: perf pads their comm, so the script reads no header there)
    const oneLine = sample({ comm: 'first', period: 5, unclosed: 'next', frames: [frame('1', 'hdr', '/bin/app')] });
    assert.equal(fold([oneLine, oneLine, dd()]), 'dd;[unknown];read;vfs_read;fsnotify 10101010\n');
  });

  it('a PERF_RECORD line names the process of the next stack when that stack\'s own header is filtered out', () => {
    // mapstress  6341   528.253990: PERF_RECORD_COMM exec: mapstress:6341/6341
    const exec: PerfTaskEvent = { kind: 'task', line: 1, record: 'COMM', comm: 'mapstress', tid: 6341, detail: 'exec: mapstress:6341/6341' };
    const f = new PerfFolder({ eventFilter: 'instructions', pid: true });
    f.task(exec);
    f.sample(dd()); // cpu-clock: filtered, but its stack goes under `mapstress-?` with weight 1
    f.sample(dd()); // the empty line before forgot the process: dropped
    assert.equal(f.format(), 'mapstress-?;[unknown];read;vfs_read;fsnotify 1\n');
  });

  it("perf's `Processed N events and lost M chunks!` (stderr in the file) counts as a process of its own", () => {
    const f = new PerfFolder();
    f.warning({ line: 9, message: 'Processed 305063 events and lost 1803 chunks!', fromPerf: true, lost: 1803 });
    f.warning({ line: 10, message: 'unparseable line: "??"' });
    f.sample(dd());
    assert.equal(f.format(), 'Processed 1\ndd;[unknown];read;vfs_read;fsnotify 10101010\n');
  });

  it('drops samples without a pid/tid (tid -1), whose header the script cannot read', () => {
    assert.equal(fold([sample({ tid: -1, frames: [frame('1', 'main', '/bin/app')] })]), '');
  });

  it('reads an inlined frame with a srcline as the script reads `  file.c:4 (inlined)`', () => {
    // \t            1193 inl_outer+0x23
    //   inl.c:4 (inlined)
    const s = sample({ frames: [frame('1160', 'leaf', '/bin/inl', { srcline: 'inl.c:3' }), frame('1193', 'inl_outer', undefined, { offset: '0x23', inlined: true, srcline: 'inl.c:4' })] });
    assert.equal(fold([s]), 'app;.c:4;leaf 1\n');
  });

  it('without the comm (includeComm: false), stacks with no frame left are not counted', () => {
    const s = sample({ frames: [frame('1', 'main', '/bin/app')] });
    const empty = sample({ frames: [] });
    assert.equal(fold([s, empty], { includeComm: false }), 'main 1\n');
    assert.equal(fold([s, empty]), 'app 1\napp;main 1\n');
  });

  it('adds weights exactly past 2^53, as Perl adds integers', () => {
    const big = (period: number) => sample({ period, frames: [frame('1', 'main', '/bin/app')] });
    assert.equal(fold([big(2 ** 53), big(3), big(2 ** 60)]), `app;main ${2n ** 53n + 3n + 2n ** 60n}\n`);
    assert.equal(perlNumber(2n ** 64n + 5n), '1.84467440737096e+19');
    assert.equal(perlNumber(12), '12');
  });

  it('stacks() gives the same as format()', () => {
    const f = new PerfFolder();
    f.sample(dd());
    f.sample(dd());
    assert.deepEqual([...f.stacks()], [['dd;[unknown];read;vfs_read;fsnotify', 20202020]]);
    assert.equal(f.size, 1);
    assert.equal(formatFolded(f.stacks()), f.format());
  });
});

describe('PerfEventFolder', () => {
  it('folds each event apart, weighted by period, with the same names', () => {
    const f = new PerfEventFolder({ weighting: 'period', kernel: true });
    const wake = sample({ event: 'sched:sched_wakeup', payload: 'comm=x pid=1', frames: [frame('1', 'ttwu', '[kernel.kallsyms]')] });
    for (const s of [dd(), wake, dd(), { ...dd(), unclosed: 'eof' as const }]) f.sample(s);
    assert.deepEqual(f.eventNames(), ['cpu-clock', 'sched:sched_wakeup']);
    assert.deepEqual([...f.stacks('cpu-clock')], [['dd;[unknown];read;vfs_read_[k];fsnotify_[k]', 30303030]]);
    assert.deepEqual([...f.byEvent().get('sched:sched_wakeup')!], [['app;ttwu_[k]', 1]]);
    assert.equal(f.stacks('nope').size, 0);
  });

  it('keeps one event when asked', () => {
    const f = new PerfEventFolder({ eventFilter: 'sched:sched_wakeup', weighting: 'samples' });
    f.sample(dd());
    assert.deepEqual(f.eventNames(), []);
  });
});

describe('formatFolded', () => {
  it('sorts by code point, like Perl sorting UTF-8 bytes', () => {
    const stacks = new Map<string, number>([
      ['a;\u{1F600}', 1],
      ['a;\uFF01', 2],
      ['a;z', 3],
    ]);
    assert.equal(formatFolded(stacks), 'a;z 3\na;\uFF01 2\na;\u{1F600} 1\n');
    assert.ok(compareCodePoints('\u{1F600}', '\uFF01') > 0);
    assert.ok(compareCodePoints('ab', 'abc') < 0);
  });
});
