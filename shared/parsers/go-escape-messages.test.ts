// Message forms one by one (go-escape-messages.ts), the old analyzer's output quoted from public
// sources (no Go here prints it), and the text reader's edge cases: chatter, warnings, continuation
// lines, CRLF, Windows paths, -json oddities, the line limit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MalformedInputError } from '../errors.js';
import type { EscapeDiagnostic } from '../model/escape.js';
import { fromBuffer } from './bytes.js';
import { parseGoEscape, type GoEscapeOptions, type GoEscapeResult } from './go-escape.js';
import { classifyMessage, type ClassifiedMessage } from './go-escape-messages.js';

async function parse(text: string, opts: Partial<GoEscapeOptions> = {}): Promise<GoEscapeResult> {
  const bytes = new TextEncoder().encode(text);
  const whole = await parseGoEscape(fromBuffer(bytes), { file: 'test', ...opts });
  assert.deepStrictEqual(await parseGoEscape(fromBuffer(bytes, 1), { file: 'test', ...opts }), whole, 'byte by byte');
  return whole;
}

/** `file:line:col kind subject [function]` of each diagnostic. */
function brief(r: GoEscapeResult): string[] {
  return r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.kind} ${d.subject}${d.function === undefined ? '' : ` [${d.function}]`}`);
}

describe('classifyMessage', () => {
  const cases: Array<[string, ClassifiedMessage]> = [
    ['moved to heap: buf', { kind: 'moved-to-heap', subject: 'buf' }],
    ['map[string]interface {}{...} escapes to heap', { kind: 'escapes-to-heap', subject: 'map[string]interface {}{...}', explains: 'escape' }],
    ['"pre:" + a + b escapes to heap', { kind: 'escapes-to-heap', subject: '"pre:" + a + b', explains: 'escape' }],
    ['s + strings.Repeat("x", len(b)) escapes to heap', { kind: 'escapes-to-heap', subject: 's + strings.Repeat("x", len(b))', explains: 'escape' }],
    ['prefix + "-" + ~R0 escapes to heap', { kind: 'escapes-to-heap', subject: 'prefix + "-" + ~R0', explains: 'escape' }],
    ['func literal escapes to heap', { kind: 'escapes-to-heap', subject: 'func literal', explains: 'escape' }],
    ['fmt.Sprintf("%v", ... argument...) escapes to heap', { kind: 'escapes-to-heap', subject: 'fmt.Sprintf("%v", ... argument...)', explains: 'escape' }],
    ['interface {}(x) escapes to heap', { kind: 'escapes-to-heap', subject: 'interface {}(x)', explains: 'escape' }],
    ['x == y escapes to heap', { kind: 'escapes-to-heap', subject: 'x == y', explains: 'escape' }],
    ['append escapes to heap', { kind: 'escapes-to-heap', subject: 'append', explains: 'escape' }],
    ['x escapes to heap, not allowed in runtime', { kind: 'escapes-to-heap', subject: 'x', explains: 'escape' }],
    ['... argument does not escape', { kind: 'does-not-escape', subject: '... argument' }],
    ['&ebpf.MapSpec{...} does not escape', { kind: 'does-not-escape', subject: '&ebpf.MapSpec{...}' }],
    ['p does not escape, mutate, or call', { kind: 'does-not-escape', subject: 'p' }],
    ['leaking param: comm', { kind: 'leaking-param', subject: 'comm' }],
    ['leaking param: p to result ~r0 level=0', { kind: 'leaking-param', subject: 'p', toResult: '~r0', level: 0 }],
    ['leaking param: b to result data level=1', { kind: 'leaking-param', subject: 'b', toResult: 'data', level: 1 }],
    ['leaking param content: xs', { kind: 'leaking-param-content', subject: 'xs' }],
    [
      'parameter comm leaks to {storage for comm} with derefs=0',
      { kind: 'leaking-param', subject: 'comm', leaksTo: '{storage for comm}', derefs: 0, explains: 'leak' },
    ],
    ['parameter xs leaks to {heap} with derefs=1', { kind: 'leaking-param-content', subject: 'xs', leaksTo: '{heap}', derefs: 1, explains: 'leak' }],
    [
      'parameter pp leaks to ~r0 with derefs=1',
      { kind: 'leaking-param', subject: 'pp', leaksTo: '~r0', derefs: 1, toResult: '~r0', level: 1, explains: 'leak' },
    ],
    ['can inline encodeBoxed', { kind: 'can-inline', subject: 'encodeBoxed' }],
    ['can inline (*Counter).Inc with cost 4 as: method(*Counter) func() { c.n += 1 }', { kind: 'can-inline', subject: '(*Counter).Inc', cost: 4 }],
    [
      'cannot inline boxed: function too complex: cost 122 exceeds budget 80',
      { kind: 'cannot-inline', subject: 'boxed', detail: 'function too complex: cost 122 exceeds budget 80', cost: 122 },
    ],
    ['cannot inline f into g: repeated recursive cycle', { kind: 'cannot-inline', subject: 'f', detail: 'repeated recursive cycle' }],
    ['inlining call to ebpf.(*Map).Put', { kind: 'inlining-call', subject: 'ebpf.(*Map).Put' }],
    ['inlining call to f with score 40', { kind: 'inlining-call', subject: 'f' }],
    ['main capturing by value: msg (addr=false assign=false width=16)', { kind: 'other', subject: 'msg', function: 'main' }],
    ['leaking escapes to heap', { kind: 'escapes-to-heap', subject: 'leaking', explains: 'escape' }],
    ['leaking result: x', { kind: 'leaking-other', subject: 'x' }],
    ['zero-copy string->[]byte conversion', { kind: 'other', subject: '' }],
    ['undefined: missing', { kind: 'other', subject: '' }],
  ];
  for (const [message, want] of cases) test(message, () => assert.deepStrictEqual(classifyMessage(message), want));
});

describe("the old analyzer's forms (Go ≤ 1.12, cmd/compile/internal/gc/esc.go), quoted", () => {
  test('no columns, function-name prefixes, ~r1 (speakerdeck.com/kooooya/golang-escape-analysis)', async () => {
    // Lines of that talk's slides (`go build -gcflags '-m -l'`, Go 1.7 era):
    const r = await parse(
      [
        '# command-line-arguments',
        './escape_analysis1.go:11: leaking param: z to result ~r1 level=0',
        './escape_analysis1.go:7: main &x does not escape',
        './escape_analysis2.go:11: &z escapes to heap',
        './escape_analysis2.go:10: moved to heap: z',
        './escape_analysis5.go:13: ref z does not escape',
        '',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), [
      './escape_analysis1.go:11:0 leaking-param z',
      './escape_analysis1.go:7:0 does-not-escape &x [main]',
      './escape_analysis2.go:11:0 escapes-to-heap &z',
      './escape_analysis2.go:10:0 moved-to-heap z',
      './escape_analysis5.go:13:0 does-not-escape z [ref]',
    ]);
    assert.deepEqual([r.diagnostics[0]!.toResult, r.diagnostics[0]!.level], ['~r1', 0]);
    assert.equal(r.diagnostics[1]!.message, 'main &x does not escape');
  });

  test('`\\tfrom` explanations under the line they explain (speakerdeck.com/mbobakov/golang-escape-analysis)', async () => {
    // `go test -gcflags "-m -m"` on the talk's slides (Go 1.9-1.12); esc.go prints the notes as
    // Warnl(src.Lineno, "\tfrom %v (%s) at %s", ...), after the line they explain, which has no `:`.
    const r = await parse(
      [
        './prelude_test.go:25:31: leaking param: c',
        './prelude_test.go:25:31: \tfrom c.description() (receiver in indirect call) at ./prelude_test.go:26',
        './prelude_test.go:34:25: c escapes to heap',
        './prelude_test.go:34:25: \tfrom c (passed to call[argument escapes]) at ./prelude_test.go:34:25',
        './prelude_test.go:33:19: &click literal escapes to heap',
        './prelude_test.go:33:19: \tfrom c (assigned) at ./prelude_test.go:33:5',
        './prelude_test.go:33:19: \tfrom c (interface-converted) at ./prelude_test.go:34:25',
        './prelude_test.go:33:19: \tfrom c (passed to call[argument escapes]) at ./prelude_test.go:34:25',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), [
      './prelude_test.go:25:31 leaking-param c',
      './prelude_test.go:34:25 escapes-to-heap c',
      './prelude_test.go:33:19 escapes-to-heap &click literal',
    ]);
    assert.deepEqual(r.diagnostics[0]!.notes, [{ where: 'c.description()', reason: 'receiver in indirect call', at: { file: './prelude_test.go', line: 26, column: 0 } }]);
    assert.deepEqual(r.diagnostics[1]!.reasons, ['passed to call[argument escapes]']);
    assert.deepEqual(r.diagnostics[2]!.reasons, ['assigned', 'interface-converted', 'passed to call[argument escapes]']);
    assert.equal(r.diagnostics[2]!.flow[1], 'from c (interface-converted) at ./prelude_test.go:34:25');
  });

  test('closures, quoted package paths, function prefixes with .funcN (a Go workshop README on GitHub, gogrep.go)', async () => {
    const r = await parse(
      [
        './gogrep.go:34: inlining call to "golang.org/x/net/context".Background',
        './gogrep.go:53: leaking closure reference root',
        './gogrep.go:53: leaking param: err to result ~r3 level=0',
        './gogrep.go:82: search.func2 ([]byte)(pattern) does not escape',
        './gogrep.go:34: "golang.org/x/net/context".Context("golang.org/x/net/context".background) escapes to heap',
        './gogrep.go:42: "hits" escapes to heap',
        './gogrep.go:21: main.func1 ... argument does not escape',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), [
      './gogrep.go:34:0 inlining-call "golang.org/x/net/context".Background',
      './gogrep.go:53:0 leaking-other root',
      './gogrep.go:53:0 leaking-param err',
      './gogrep.go:82:0 does-not-escape ([]byte)(pattern) [search.func2]',
      './gogrep.go:34:0 escapes-to-heap "golang.org/x/net/context".Context("golang.org/x/net/context".background)',
      './gogrep.go:42:0 escapes-to-heap "hits"',
      './gogrep.go:21:0 does-not-escape ... argument [main.func1]',
    ]);
  });

  test('`<autogenerated>:1` with a method prefix, `[]interface {} literal`, `-m -m` inlining bodies (two Go blogs on GitHub)', async () => {
    // From a post on escape analysis (main_pointer.go, `go build -gcflags=-m`) and one on memory
    // profiling (file_utils.go, `-gcflags "-m -m"`, Go 1.12):
    const r = await parse(
      [
        './main_pointer.go:18:13: main []interface {} literal does not escape',
        '<autogenerated>:1: (*File).close .this does not escape',
        './file_utils.go:37:19: inlining call to bytes.Compare func([]byte, []byte) int { return bytealg.Compare(bytes.a, bytes.b) }',
        './file_utils.go:22:13: make([]byte, size) escapes to heap',
        './file_utils.go:22:13:  from make([]byte, size) (non-constant size) at ./file_utils.go:22:13',
        './file_utils.go:8:17: findInFile word does not escape',
        './file_utils.go:16:26: findInFile &bytes.Reader literal does not escape',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), [
      './main_pointer.go:18:13 does-not-escape []interface {} literal [main]',
      '<autogenerated>:1:0 does-not-escape .this [(*File).close]',
      './file_utils.go:37:19 inlining-call bytes.Compare',
      './file_utils.go:22:13 escapes-to-heap make([]byte, size)',
      './file_utils.go:8:17 does-not-escape word [findInFile]',
      './file_utils.go:16:26 does-not-escape &bytes.Reader literal [findInFile]',
    ]);
    assert.deepEqual(r.diagnostics[3]!.reasons, ['non-constant size']);
  });

  test('forms from the old source: -m=3 levels, `mark escaped content`, a function prefix on escapes', async () => {
    // Not quoted output: lines built from esc.go's format strings (`leaking param: %S level=%v
    // dst.eld=%v src.eld=%v dst=%S`, `mark escaped content: %S`) and the issue's `main.boxed &T literal`.
    const r = await parse(
      [
        './x.go:9:10: leaking param: p level=-1 dst.eld=1 src.eld=1 dst=~r1',
        './x.go:9:10: leaking param: p to result ~r1 level=-1',
        './x.go:9:13: mark escaped content: q',
        './x.go:12:9: main.boxed &T literal escapes to heap',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), ['./x.go:9:10 leaking-param p', './x.go:9:10 leaking-param p', './x.go:9:13 leaking-param-content q', './x.go:12:9 escapes-to-heap &T literal [main.boxed]']);
    assert.deepEqual(
      r.diagnostics.slice(0, 2).map((d) => [d.level, d.toResult]),
      [
        [-1, undefined],
        [-1, '~r1'],
      ],
    );
  });
});

describe('text lines', () => {
  test('chatter of the go command and go test is skipped; other lines are warnings with their line number', async () => {
    const r = await parse(
      [
        'go: downloading github.com/cilium/ebpf v0.9.1',
        'go: finding module for package golang.org/x/sys/unix',
        '# example.com/app',
        './main.go:5:6: can inline f',
        'hello from the program',
        'ok  \texample.com/app\t0.002s',
        '?   \texample.com/app/cmd\t[no test files]',
        'PASS',
        'too many errors',
        'go: build output "app" already exists and is not an object file',
        '',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), ['./main.go:5:6 can-inline f']);
    assert.deepEqual(r.warnings, [
      { line: 5, message: 'not a compiler diagnostic: "hello from the program"' },
      { line: 10, message: 'not a compiler diagnostic: "go: build output \\"app\\" already exists and is not an object file"' },
    ]);
  });

  test('compiler errors are kept as `other`, with their indented continuation lines', async () => {
    const r = await parse(
      [
        '# example.com/app',
        './x.go:9:4: cannot use T{} (value of type T) as I value in variable declaration: T does not implement I (missing method M)',
        '\t\thave m()',
        '\t\twant M()',
        './x.go:12:2: undefined: y',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), ['./x.go:9:4 other ', './x.go:12:2 other ']);
    assert.equal(r.diagnostics[0]!.message.split('\n').length, 3);
    assert.equal(r.diagnostics[0]!.message.split('\n')[2], 'want M()');
    assert.deepEqual(r.warnings, []);
  });

  test('an explanation line goes to the latest headline at its position; without one it is a warning', async () => {
    const r = await parse(
      [
        './main.go:95:5: n escapes to heap:',
        './main.go:95:5:   flow: {heap} = &{storage for n}:',
        './main.go:95:5:     from n (spill) at ./main.go:95:5',
        './main.go:95:5: r escapes to heap:',
        './main.go:95:5:   flow: {heap} = &{storage for r}:',
        './main.go:95:5:     from r (interface-converted) at ./main.go:95:5',
        './main.go:96:1:     from x (spill) at ./main.go:96:1',
        './main.go:95:5: r escapes to heap',
        './main.go:95:5: n escapes to heap',
      ].join('\n'),
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.subject, d.message, d.reasons, d.inputLine]),
      [
        ['n', 'n escapes to heap', ['spill'], 1],
        ['r', 'r escapes to heap', ['interface-converted'], 4],
      ],
    );
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0]!.line, 7);
    assert.match(r.warnings[0]!.message, /^explanation line with no diagnostic at \.\/main\.go:96:1 before it/);
  });

  test('the same position in two packages (a package and its test variant) is not mixed up', async () => {
    const r = await parse(
      [
        '# example.com/a',
        'a.go:3:2: x escapes to heap:',
        'a.go:3:2:   flow: {heap} = &{storage for x}:',
        '# example.com/a [example.com/a.test]',
        'a.go:3:2: x escapes to heap',
      ].join('\n'),
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.package, d.message, d.flow.length]),
      [
        ['example.com/a', 'x escapes to heap', 1],
        ['example.com/a', 'x escapes to heap', 0],
      ],
    );
    assert.deepEqual(r.packages, ['example.com/a']);
  });

  test('Windows paths, CRLF, a BOM, no newline at the end', async () => {
    const r = await parse(
      '\ufeff# command-line-arguments\r\nC:\\src\\app\\main.go:12:9: &T{} escapes to heap:\r\nC:\\src\\app\\main.go:12:9:     from &T{} (spill) at C:\\src\\app\\main.go:12:9\r\nC:\\src\\app\\main.go:12:9: &T{} escapes to heap',
    );
    assert.deepEqual(brief(r), ['C:\\src\\app\\main.go:12:9 escapes-to-heap &T{}']);
    assert.deepEqual(r.diagnostics[0]!.notes, [{ where: '&T{}', reason: 'spill', at: { file: 'C:\\src\\app\\main.go', line: 12, column: 9 } }]);
    assert.deepEqual(r.packages, ['command-line-arguments']);
    assert.deepEqual(r.warnings, []);
  });

  test('empty and blank inputs', async () => {
    for (const text of ['', '\n\n', '  \n']) assert.deepStrictEqual(await parse(text), { diagnostics: [], packages: [], warnings: [], format: 'text' });
  });

  test('warnings past maxWarnings are counted in one last warning', async () => {
    const r = await parse(Array.from({ length: 8 }, (_, i) => `noise ${i}`).join('\n'), { maxWarnings: 3 });
    assert.deepEqual(
      r.warnings.map((w) => w.line),
      [1, 2, 3, 4],
    );
    assert.equal(r.warnings[3]!.message, '5 more warnings not listed (the first 3 are); the first of them is at this line');
  });

  test('a line longer than maxLineBytes is a MalformedInputError with the file and line', async () => {
    const text = `./a.go:1:1: moved to heap: x\n./a.go:2:1: ${'x'.repeat(100)} escapes to heap\n`;
    await assert.rejects(parseGoEscape(fromBuffer(new TextEncoder().encode(text), 16), { file: 'escape.txt', maxLineBytes: 64 }), (e: unknown) => {
      assert.ok(e instanceof MalformedInputError);
      assert.deepEqual(e.position, { file: 'escape.txt', line: 2, byteOffset: 29 });
      return true;
    });
  });
});

describe('-json lines', () => {
  // From cmd/compile/internal/logopt/logopt_test.go (TestLogOpt "Success", `-json=0,file://log/opt`,
  // relative `file://tmpdir/file.go` URIs), with the header line log_opts.go writes first.
  const LOGOPT_TEST = [
    '{"version":0,"package":"x","goos":"linux","goarch":"amd64","gc_version":"devel","file":"tmpdir/file.go"}',
    '{"range":{"start":{"line":7,"character":6},"end":{"line":7,"character":6}},"severity":3,"code":"canInlineFunction","source":"go compiler","message":"cost: 35"}',
    '{"range":{"start":{"line":7,"character":13},"end":{"line":7,"character":13}},"severity":3,"code":"leak","source":"go compiler","message":"parameter z leaks to ~r2 with derefs=0","relatedInformation":[{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":13},"end":{"line":9,"character":13}}},"message":"escflow:    flow: y = z:"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":13},"end":{"line":9,"character":13}}},"message":"escflow:      from y = \\u003cN\\u003e (assign-pair)"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":13},"end":{"line":9,"character":13}}},"message":"escflow:    flow: ~r1 = y:"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":4,"character":11},"end":{"line":4,"character":11}}},"message":"inlineLoc"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":13},"end":{"line":9,"character":13}}},"message":"escflow:      from y.b (dot of pointer)"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":4,"character":11},"end":{"line":4,"character":11}}},"message":"inlineLoc"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":13},"end":{"line":9,"character":13}}},"message":"escflow:      from \\u0026y.b (address-of)"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":4,"character":9},"end":{"line":4,"character":9}}},"message":"inlineLoc"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":13},"end":{"line":9,"character":13}}},"message":"escflow:      from ~r1 = \\u003cN\\u003e (assign-pair)"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":3},"end":{"line":9,"character":3}}},"message":"escflow:    flow: ~r2 = ~r1:"},{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":9,"character":3},"end":{"line":9,"character":3}}},"message":"escflow:      from return (*int)(~r1) (return)"}]}',
    '{"range":{"start":{"line":9,"character":13},"end":{"line":9,"character":13}},"severity":3,"code":"nilcheck","source":"go compiler","message":"","relatedInformation":[{"location":{"uri":"file://tmpdir/file.go","range":{"start":{"line":4,"character":11},"end":{"line":4,"character":11}}},"message":"inlineLoc"}]}',
    '{"range":{"start":{"line":11,"character":6},"end":{"line":11,"character":6}},"severity":3,"code":"isInBounds","source":"go compiler","message":""}',
    '{"range":{"start":{"line":21,"character":21},"end":{"line":21,"character":21}},"severity":3,"code":"cannotInlineCall","source":"go compiler","message":"foo cannot be inlined (escaping closure variable)"}',
    // inl.go of Go 1.14-1.16 (not in that test): LogOpt(n.Pos, "inlineCall", "inline", Curfn.funcname(), fn.pkgFuncName())
    '{"range":{"start":{"line":22,"character":9},"end":{"line":22,"character":9}},"severity":3,"code":"inlineCall","source":"go compiler","message":"x.bar"}',
    '',
  ].join('\n');

  test("logopt's own test lines: codes, relative URIs, notes positioned by their location", async () => {
    const r = await parse(LOGOPT_TEST);
    assert.equal(r.format, 'json');
    assert.equal(r.goVersion, 'devel');
    assert.deepEqual(r.packages, ['x']);
    assert.deepEqual(brief(r), [
      'tmpdir/file.go:7:6 can-inline ',
      'tmpdir/file.go:7:13 leaking-param z',
      'tmpdir/file.go:9:13 other ',
      'tmpdir/file.go:11:6 other ',
      'tmpdir/file.go:21:21 cannot-inline foo',
      'tmpdir/file.go:22:9 inlining-call x.bar',
    ]);
    assert.equal(r.diagnostics[5]!.message, 'inlining call to x.bar');
    const z = r.diagnostics[1]!;
    assert.deepEqual([z.toResult, z.level, z.leaksTo, z.derefs], ['~r2', 0, '~r2', 0]);
    assert.deepEqual(z.reasons, ['assign-pair', 'dot of pointer', 'address-of', 'return']);
    assert.equal(z.flow[1], 'from y = <N> (assign-pair) at tmpdir/file.go:9:13');
    assert.deepEqual(z.inlinedAt, undefined, 'inlineLoc after an escflow line belongs to that line');
    assert.deepEqual(r.diagnostics[2]!.inlinedAt, [{ file: 'tmpdir/file.go', line: 4, column: 11 }]);
    assert.equal(r.diagnostics[2]!.message, 'nilcheck');
    assert.equal(r.diagnostics[4]!.detail, 'foo cannot be inlined (escaping closure variable)');
    assert.deepEqual(r.warnings, []);
  });

  test('broken lines are warnings; a diagnostic before any header has no file; package \\u0000 is none', async () => {
    const r = await parse(
      [
        '{"range":{"start":{"line":3,"character":2}},"code":"escape","message":"x escapes to heap"}',
        '{"range":{"start":{"line":3,"character":2}},"code":"escape","message":""}',
        '{"version":0,"package":"\\u0000","file":"x.go"}',
        '{"range":{"start":{"line":4}},"code":"escape","message":""}',
        '{"range":{"start":{"line":5,"character":1},',
        '[1, 2]',
        '{"something":"else"}',
        '{"range":{"start":{"line":6,"character":3}},"code":"escape","message":""}',
        '{"version":0,"package":"p","file":"C:\\\\src\\\\y.go"}',
        '{"range":{"start":{"line":1,"character":1}},"code":"escape","message":"y escapes to heap","relatedInformation":[{"location":{"uri":"file:///C:/src/y.go","range":{"start":{"line":1,"character":5}}},"message":"escflow:      from y (spill)"}]}',
        '{"range":{"start":{"line":1,"character":1}},"code":"escape","message":""}',
      ].join('\n'),
    );
    assert.deepEqual(brief(r), [':3:2 escapes-to-heap x', 'x.go:6:3 escapes-to-heap ', 'C:\\src\\y.go:1:1 escapes-to-heap y']);
    assert.deepEqual(r.diagnostics[2]!.flow, ['from y (spill) at C:/src/y.go:1:5']);
    assert.equal(r.diagnostics[1]!.package, undefined);
    assert.deepEqual(r.packages, ['p']);
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.message.split(':')[0]]),
      [
        [1, 'diagnostic before any header line'],
        [4, 'diagnostic without range.start.line and .character'],
        [5, 'not a JSON line'],
        [6, 'not a JSON object'],
        [7, 'neither a -json header nor a diagnostic'],
      ],
    );
  });

  test('an explained escape without its summary is a variable: moved to heap, as -m says', async () => {
    // json-main.json, 28:2 (`p := Point{x, y}; return &p`), then 34:9 (`return &Point{X: x}`):
    const r = await parse(
      [
        '{"version":0,"package":"main","goos":"linux","goarch":"amd64","gc_version":"go1.19.8","file":"/tmp/escx/main.go"}',
        '{"range":{"start":{"line":28,"character":2},"end":{"line":28,"character":2}},"severity":3,"code":"escape","source":"go compiler","message":"p escapes to heap","relatedInformation":[{"location":{"uri":"file:///tmp/escx/main.go","range":{"start":{"line":29,"character":9},"end":{"line":29,"character":9}}},"message":"escflow:    flow: ~r0 = \\u0026p:"}]}',
        '{"range":{"start":{"line":34,"character":9},"end":{"line":34,"character":9}},"severity":3,"code":"escape","source":"go compiler","message":"\\u0026Point{...} escapes to heap","relatedInformation":[{"location":{"uri":"file:///tmp/escx/main.go","range":{"start":{"line":34,"character":9},"end":{"line":34,"character":9}}},"message":"escflow:    flow: ~r0 = \\u0026{storage for \\u0026Point{...}}:"}]}',
        '{"range":{"start":{"line":34,"character":9},"end":{"line":34,"character":9}},"severity":3,"code":"escape","source":"go compiler","message":""}',
      ].join('\n'),
    );
    assert.deepEqual(
      r.diagnostics.map((d: EscapeDiagnostic) => [d.kind, d.subject, d.message, d.explanation]),
      [
        ['moved-to-heap', 'p', 'moved to heap: p', 'p escapes to heap'],
        ['escapes-to-heap', '&Point{...}', '&Point{...} escapes to heap', undefined],
      ],
    );
  });
});
