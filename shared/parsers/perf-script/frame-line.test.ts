import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PerfFrame } from '../../model/perf.js';
import { applySrcline, looksLikeSrcline, parseFrameLine, splitHeaderLineFrame } from './frame-line.js';

const frame = (line: string, requireAddress = false) => parseFrameLine(line, 0, line.length, requireAddress);

describe('parseFrameLine', () => {
  // Real stack lines (fixtures, the FlameGraph corpus, inferno's test data) and what they hold.
  const cases: [string, PerfFrame][] = [
    ['\tffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])', { address: 'ffffffff82256067', symbol: 'clear_page_erms', offset: '0x7', dso: '[kernel.kallsyms]' }],
    ['\t           2bb85 runtime.(*scavengeIndex).grow+0x185 (/go/src/mapstress/mapstress)', { address: '2bb85', symbol: 'runtime.(*scavengeIndex).grow', offset: '0x185', dso: '/go/src/mapstress/mapstress' }],
    ['\t  7fff827af16000 [unknown] ([unknown])', { address: '7fff827af16000', symbol: '[unknown]', dso: '[unknown]' }],
    ['\t               0 [unknown] ([unknown])', { address: '0', symbol: '[unknown]', dso: '[unknown]' }],
    ['\t            1380 [unknown] (/tmp/x/work-deleted (deleted))', { address: '1380', symbol: '[unknown]', dso: '/tmp/x/work-deleted (deleted)' }],
    ['\t            12f7 ns::Box<long>::spin(long) [clone .isra.0]+0x17 (/tmp/x/work)', { address: '12f7', symbol: 'ns::Box<long>::spin(long) [clone .isra.0]', offset: '0x17', dso: '/tmp/x/work' }],
    ['\t            133b work(int, char)+0x2b (/tmp/x/work)', { address: '133b', symbol: 'work(int, char)', offset: '0x2b', dso: '/tmp/x/work' }],
    ['\t           13316 <tr::Sq as tr::Shape>::area+0x56 (/tmp/x/tr)', { address: '13316', symbol: '<tr::Sq as tr::Shape>::area', offset: '0x56', dso: '/tmp/x/tr' }],
    ['\t    7fa0b4938cc9 StubRoutines (1)+0xc9 (/tmp/perf-29277.map)', { address: '7fa0b4938cc9', symbol: 'StubRoutines (1)', offset: '0xc9', dso: '/tmp/perf-29277.map' }],
    ['\t    7fa0b4ec83ef long Hot.loop(Hot$Op, int)+0xcf (/tmp/perf-29277.map)', { address: '7fa0b4ec83ef', symbol: 'long Hot.loop(Hot$Op, int)', offset: '0xcf', dso: '/tmp/perf-29277.map' }],
    // inferno tests/data/collapse-perf/java-inline.txt: an inline chain of the perf-map-agent
    [
      '\t    7f89cc467bf0 Ljava/io/PrintStream;::println->Ljava/io/PrintStream;::print->Ljava/io/PrintStream;::write+0x0 (/tmp/perf-10487.map)',
      { address: '7f89cc467bf0', symbol: 'Ljava/io/PrintStream;::println->Ljava/io/PrintStream;::print->Ljava/io/PrintStream;::write', offset: '0x0', dso: '/tmp/perf-10487.map' },
    ],
    // inferno tests/data/collapse-perf/cpp-stacks-std-function.txt: ` (` inside the symbol, inlined frames
    [
      '\t    561aa58dbcc3 std::_Function_handler<int (int, int), main::{lambda(int, int)#1}>::_M_invoke (/home/user/genperf/perf_stacks)',
      { address: '561aa58dbcc3', symbol: 'std::_Function_handler<int (int, int), main::{lambda(int, int)#1}>::_M_invoke', dso: '/home/user/genperf/perf_stacks' },
    ],
    ['\t    7f443cc8af43 __mmap64 (inlined)', { address: '7f443cc8af43', symbol: '__mmap64', inlined: true }],
    // inferno tests/data/collapse-perf/sourcepawn-jitdump.txt
    ['\t        f719f06f <jit invoke stub>+0x27 (/tmp/jitted-31714-4145672264.so)', { address: 'f719f06f', symbol: '<jit invoke stub>', offset: '0x27', dso: '/tmp/jitted-31714-4145672264.so' }],
    ['\t            117e inl_outer+0xe (inlined)', { address: '117e', symbol: 'inl_outer', offset: '0xe', inlined: true }],
    ['\t            1380 touch_pages (/tmp/x/work)', { address: '1380', symbol: 'touch_pages', dso: '/tmp/x/work' }],
    ['\t            117e inl_outer+0xe', { address: '117e', symbol: 'inl_outer', offset: '0xe' }],
    ['\t    7fcebcf52f38', { address: '7fcebcf52f38', symbol: '' }],
    ['\t    7fcebcf52f38 (/usr/lib/libc.so.6)', { address: '7fcebcf52f38', symbol: '', dso: '/usr/lib/libc.so.6' }],
    [' foo (/usr/lib/libc.so.6)', { symbol: 'foo', dso: '/usr/lib/libc.so.6' }],
    // perf 3.x (spaces), FlameGraph perf-js-stacks-01.txt
    ['            13a80b608e0a RegExp:[&<>\\"\\\'] (/tmp/perf-7539.map)', { address: '13a80b608e0a', symbol: 'RegExp:[&<>\\"\\\']', dso: '/tmp/perf-7539.map' }],
    ['             c6d7895aac9 LazyCompile:~body_0 evalmachine.<anonymous>:1 (/tmp/perf-31912.map)', { address: 'c6d7895aac9', symbol: 'LazyCompile:~body_0 evalmachine.<anonymous>:1', dso: '/tmp/perf-31912.map' }],
    // No indent at all, FlameGraph perf-java-stacks-02.txt
    ['7f7241fbe6d8 arrayOopDesc::base(BasicType) const (/home/xguan/opt/jdk1.8.0_112/jre/lib/amd64/server/libjvm.so)', { address: '7f7241fbe6d8', symbol: 'arrayOopDesc::base(BasicType) const', dso: '/home/xguan/opt/jdk1.8.0_112/jre/lib/amd64/server/libjvm.so' }],
    // Old simpleperf report_sample.py: "%16x\t%s (%s)"
    ['          400510\tmain (/data/local/tmp/a.out)', { address: '400510', symbol: 'main', dso: '/data/local/tmp/a.out' }],
    // A DSO with spaces, trailing blanks, a CR left by a CRLF file is not ours to strip (the caller does)
    ['\t    5564a1327000 main+0x10 (/tmp/dir with space/my prog)  ', { address: '5564a1327000', symbol: 'main', offset: '0x10', dso: '/tmp/dir with space/my prog' }],
    // `+0x` inside a symbol is only an offset at its end
    ['\t    1000 operator+0xfoo (/x)', { address: '1000', symbol: 'operator+0xfoo', dso: '/x' }],
  ];
  for (const [line, want] of cases) {
    test(JSON.stringify(line).slice(0, 90), () => assert.deepEqual(frame(line), want));
  }

  test('not frames', () => {
    // inferno tests/data/collapse-perf/weird-stack-line.txt
    assert.equal(frame('\t          THIS_IS_A_WEIRD_LINE'), undefined);
    assert.equal(frame('\t'), undefined);
    assert.equal(frame('   '), undefined);
    assert.equal(frame('  work.cpp:34'), undefined);
    assert.equal(frame('  [kernel.kallsyms][ffffffff8226dbf9]'), undefined);
    assert.equal(frame('  inl.c:3 (inlined)'), undefined);
    assert.equal(frame('tracing data:'), undefined);
  });

  test('requireAddress', () => {
    assert.equal(frame(' foo (/usr/lib/libc.so.6)', true), undefined);
    assert.equal(frame('0x100', true), undefined);
    assert.deepEqual(frame('7f12 foo', true), { address: '7f12', symbol: 'foo' });
  });

  test('reads only its range of a larger string', () => {
    const text = 'x\n\tffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])\ny';
    assert.deepEqual(parseFrameLine(text, 2, text.length - 2), { address: 'ffffffff82256067', symbol: 'clear_page_erms', offset: '0x7', dso: '[kernel.kallsyms]' });
  });
});

describe('splitHeaderLineFrame', () => {
  test('the whole text is the frame (no call graph)', () => {
    // `            work 21350  4681.417750:     250000 task-clock:      7fcebcf52f38 intel_check_word.constprop.0+0x158 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)`
    assert.deepEqual(splitHeaderLineFrame('7fcebcf52f38 intel_check_word.constprop.0+0x158 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)'), {
      payload: '',
      frame: { address: '7fcebcf52f38', symbol: 'intel_check_word.constprop.0', offset: '0x158', dso: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
    });
    // inferno single-line-stacks.txt: `cycles:u:  ffffffff9b201293 [unknown] ([unknown])`
    assert.deepEqual(splitHeaderLineFrame('ffffffff9b201293 [unknown] ([unknown])')?.frame, { address: 'ffffffff9b201293', symbol: '[unknown]', dso: '[unknown]' });
    // -F ip,sym: no dso
    assert.deepEqual(splitHeaderLineFrame('7fcebcf52f38 intel_check_word.constprop.0'), { payload: '', frame: { address: '7fcebcf52f38', symbol: 'intel_check_word.constprop.0' } });
  });

  test('a tracepoint payload, then the frame', () => {
    assert.deepEqual(splitHeaderLineFrame('fd: 0x00000005, buf: 0x7f6d2ed3dd40, count: 0x00000100     7f6d2f63b38f __GI___libc_write (/usr/lib/x86_64-linux-gnu/libc.so.6)'), {
      payload: 'fd: 0x00000005, buf: 0x7f6d2ed3dd40, count: 0x00000100',
      frame: { address: '7f6d2f63b38f', symbol: '__GI___libc_write', dso: '/usr/lib/x86_64-linux-gnu/libc.so.6' },
    });
    assert.deepEqual(splitHeaderLineFrame('NR 59 = 0 ffffffff81423411 __traceiter_sys_exit ([kernel.kallsyms])')?.payload, 'NR 59 = 0');
    assert.deepEqual(splitHeaderLineFrame('(562ae6d4d310 <- 562ae6d4d47e) arg1=0x1ca7     562ae6d4d47e level2+0x17 (/tmp/x/work)')?.payload, '(562ae6d4d310 <- 562ae6d4d47e) arg1=0x1ca7');
  });

  test('-F addr: the data address (resolved) before the ip', () => {
    assert.deepEqual(splitHeaderLineFrame('55bb9e20a088 __TMC_END__ (/tmp/x/work) ffffffff8177539a elf_load ([kernel.kallsyms])'), {
      payload: '55bb9e20a088 __TMC_END__ (/tmp/x/work)',
      frame: { address: 'ffffffff8177539a', symbol: 'elf_load', dso: '[kernel.kallsyms]' },
    });
  });

  test('payloads that end like a frame but are not one', () => {
    for (const payload of [
      'NR 262 (ffffff9c, 7ffd8f43fec0, 7ffd8f43ff90, 0, 7ffd8f4400d7, 0)',
      '(562ae6d4d310 <- 562ae6d4d47e)',
      '(555e17839310) a=11 c=97',
      'cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048',
      '0x100',
      'prev_comm=w:[1] prev_pid=21812 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120',
      '',
    ]) {
      assert.equal(splitHeaderLineFrame(payload), undefined, payload);
    }
  });
});

describe('srclines', () => {
  test('looksLikeSrcline: two spaces, then text', () => {
    assert.ok(looksLikeSrcline('  work.cpp:34', 0, 13));
    assert.ok(!looksLikeSrcline('   work.cpp:34', 0, 14));
    assert.ok(!looksLikeSrcline('\twork.cpp:34', 0, 12));
  });

  test('applySrcline sets the srcline, and inlined from ` (inlined)`', () => {
    const f: PerfFrame = { address: '117e', symbol: 'inl_outer', offset: '0xe' };
    applySrcline(f, '  inl.c:3 (inlined)', 0, 19);
    assert.deepEqual(f, { address: '117e', symbol: 'inl_outer', offset: '0xe', srcline: 'inl.c:3', inlined: true });
    const g: PerfFrame = { symbol: 'x' };
    applySrcline(g, '  ??:0', 0, 6);
    assert.deepEqual(g, { symbol: 'x', srcline: '??:0' });
  });
});
