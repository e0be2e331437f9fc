/**
 * The messages of the Go compiler's escape analysis and inliner, as `-gcflags=-m` prints them after
 * `file:line:col: `, classified into EscapeKind. Shared by the text and -json readers of go-escape.ts.
 *
 * Where they are printed (https://github.com/golang/go/tree/master/src/cmd/compile/internal):
 *   escape/escape.go  finish(): `moved to heap: %v`, `%v escapes to heap`, `%v does not escape`;
 *                     reportLeaks(): `leaking param: %v`, `leaking param content: %v`,
 *                     `leaking param: %v to result %v level=%d`; flowClosure(): `%v capturing by %s: %v (...)`
 *   escape/solve.go   -m=2: `%v escapes to heap:`, `parameter %v leaks to %s with derefs=%d:` (the explanation
 *                     lines that follow are handled in go-escape.ts)
 *   inline/inl.go     `can inline %v`, `can inline %v with cost %d as: ...`, `cannot inline %v: %s`,
 *                     `inlining call to %v`
 *   gc/esc.go         the old analyzer (Go ≤ 1.12): `leaking closure reference %S`, `mark escaped content: %S`,
 *                     and `%v %S does not escape` with the enclosing function first (e.curfnSym(n))
 */
import type { EscapeKind } from '../model/escape.js';

/** What a message says, before positions and packages are added. */
export interface ClassifiedMessage {
  kind: EscapeKind;
  subject: string;
  function?: string;
  level?: number;
  toResult?: string;
  leaksTo?: string;
  derefs?: number;
  cost?: number;
  detail?: string;
  /** A -m=2 headline that a summary line may follow: `x escapes to heap:` or `parameter p leaks to ...:`. */
  explains?: 'escape' | 'leak';
}

// ---------------------------------------------------------------------------------------------
// Named parts

/** A function symbol as the old analyzer printed it: `main`, `main.boxed`, `search.func2`, `(*File).close`, `glob..func1`. */
const FUNC_SYM = String.raw`(?:\(\*?[A-Za-z_][\w.]*\)\.)?[A-Za-z_][\w.·]*`;
/** A parameter or result name: `p`, `.this`, `~r0`, `~R0`, `arg#1`. */
const NAME = String.raw`\S+`;

// ---------------------------------------------------------------------------------------------
// Messages, one regex each, the real lines they read quoted above them

//   moved to heap: buf
const MOVED = /^moved to heap: (?<subject>.+)$/;
//   leaking param: comm
//   leaking param: p to result ~r0 level=0
//   leaking param: z to result ~r1 level=0                           (old analyzer, unnamed results were ~r1...)
//   leaking param: p level=1 dst.eld=0 src.eld=1 dst=~r1             (old analyzer, -m=3)
const LEAKING_PARAM = new RegExp(
  String.raw`^leaking param: (?<subject>${NAME})(?: to result (?<result>${NAME}) level=(?<level>-?\d+)| level=(?<level3>-?\d+)\b.*)?$`,
);
//   leaking param content: xs
//   leaking param content: p level=2 dst.eld=1 src.eld=1 dst=~r1     (old analyzer, -m=3)
const LEAKING_CONTENT = new RegExp(String.raw`^leaking param content: (?<subject>${NAME})(?: level=(?<level>-?\d+)\b.*)?$`);
//   mark escaped content: p                                          (old analyzer)
const MARK_CONTENT = new RegExp(String.raw`^mark escaped content: (?<subject>${NAME})$`);
//   leaking closure reference root                                   (old analyzer)
const LEAKING_CLOSURE = /^leaking closure reference (?<subject>.+)$/;
//   leaking result: ...  and other leaks
const LEAKING_OTHER = /^leaking (?<what>[^:]+?)(?:: (?<subject>.+))?$/;
//   parameter comm leaks to {storage for comm} with derefs=0         (-m=2 headline, `:` stripped)
//   parameter p leaks to ~r0 with derefs=0
const PARAM_LEAKS = new RegExp(String.raw`^parameter (?<subject>${NAME}) leaks to (?<to>.+) with derefs=(?<derefs>-?\d+)$`);
//   map[string]interface {}{...} escapes to heap
//   "pre:" + a + b escapes to heap
//   append escapes to heap
//   main.boxed &T literal escapes to heap                            (old analyzer, function first)
//   x escapes to heap, not allowed in runtime                        (an error when compiling the runtime)
const ESCAPES = /^(?<subject>.+?) escapes to heap(?:, .*)?$/;
//   &ebpf.MapSpec{...} does not escape
//   ... argument does not escape
//   search.func2 ([]byte)(pattern) does not escape                   (old analyzer, function first)
//   p does not escape, mutate, or call                               (-d=escapemutationscalls)
const NOT_ESCAPES = /^(?<subject>.+?) does not escape(?:, mutate, or call)?$/;
//   can inline encodeBoxed
//   can inline encodeBoxed with cost 68 as: func(map[string]interface {}) []byte { ... }
//   can inline f as: func() int { return 1 }                         (old -m=2, no cost)
const CAN_INLINE = /^can inline (?<subject>\S+)(?: with cost (?<cost>\d+))?(?: as: .*)?$/;
//   cannot inline boxed: function too complex: cost 122 exceeds budget 80
//   cannot inline main: unhandled op DEFER
//   cannot inline f into g: repeated recursive cycle
const CANNOT_INLINE = /^cannot inline (?<subject>[^\s:]+)(?: into [^\s:]+)?: (?<detail>.*)$/;
const COST_EXCEEDS = /\bcost (?<cost>\d+) exceeds budget \d+/;
//   inlining call to time.(*Time).unixSec
//   inlining call to "golang.org/x/net/context".Background           (old quoting of package paths)
//   inlining call to fmt.Println func(...interface {}) (int, error) { ... }   (old -m=2, with the body)
//   inlining call to f with score 40                                 (GOEXPERIMENT=newinliner)
const INLINING_CALL = /^inlining call to (?<subject>\S+)/;
//   main capturing by value: msg (addr=false assign=false width=16)  (-m=2)
const CAPTURING = /^(?<fn>\S+) capturing by (?:value|ref): (?<subject>\S+)/;
//   bufferNoEscape4 ignoring self-assignment in b.buf = b.buf[:0]    (old analyzer)
const SELF_ASSIGNMENT = new RegExp(String.raw`^(?<fn>${FUNC_SYM}) ignoring self-assignment in (?<subject>.+)$`);

/** The old analyzer's function prefix: the symbol, one space, then the expression. */
const OLD_PREFIX = new RegExp(String.raw`^(?<fn>${FUNC_SYM}) (?<rest>.+)$`);
/** Words that start an expression with a space in it, never a function name: `func literal`, `interface {}(x)`. */
const KEYWORDS = new Set(['func', 'interface', 'struct', 'map', 'chan', 'go', 'defer', 'range', 'select', 'return', 'type', 'var', 'const']);
/** A binary operator then a space: `a + b`, `x == y` are expressions, not `function expression`. */
const BINARY_OP = /^(?:[-+*/%|^]|&\^?|<<|>>|==|!=|<=?|>=?|&&|\|\||<-)\s/;

/** A result name the compiler made up (`~r0`, `~R0`, `~r1`): a leak to it is a leak to a result. */
const RESULT_NAME = /^~[rR]\d+$/;

/** The message without its -m=2 trailing `:` and whether it had one. */
export function splitHeadline(message: string): { text: string; open: boolean } {
  return message.endsWith(':') ? { text: message.slice(0, -1), open: true } : { text: message, open: false };
}

/** Classifies one message (no position, no leading blanks). Never fails: unknown messages are 'other'. */
export function classifyMessage(message: string): ClassifiedMessage {
  let m: RegExpExecArray | null;
  if ((m = MOVED.exec(message))) return { kind: 'moved-to-heap', subject: g(m, 'subject') };
  if ((m = LEAKING_PARAM.exec(message))) {
    const out: ClassifiedMessage = { kind: 'leaking-param', subject: g(m, 'subject') };
    if (m.groups!.result !== undefined) out.toResult = m.groups!.result;
    const level = m.groups!.level ?? m.groups!.level3;
    if (level !== undefined) out.level = Number(level);
    return out;
  }
  if ((m = LEAKING_CONTENT.exec(message))) {
    const out: ClassifiedMessage = { kind: 'leaking-param-content', subject: g(m, 'subject') };
    if (m.groups!.level !== undefined) out.level = Number(m.groups!.level);
    return out;
  }
  if ((m = MARK_CONTENT.exec(message))) return { kind: 'leaking-param-content', subject: g(m, 'subject') };
  if ((m = LEAKING_CLOSURE.exec(message))) return { kind: 'leaking-other', subject: g(m, 'subject') };
  if ((m = PARAM_LEAKS.exec(message))) {
    const to = g(m, 'to');
    const derefs = Number(g(m, 'derefs'));
    // A leak to anything but a result (`{heap}`, `{storage for &T{...}}`, a variable) is a leak to
    // the heap: -m sums it up as `leaking param: p`, or `leaking param content: p` past derefs=0.
    const out: ClassifiedMessage = {
      kind: !RESULT_NAME.test(to) && derefs > 0 ? 'leaking-param-content' : 'leaking-param',
      subject: g(m, 'subject'),
      leaksTo: to,
      derefs,
      explains: 'leak',
    };
    if (RESULT_NAME.test(to)) {
      out.toResult = to;
      out.level = derefs;
    }
    return out;
  }
  if ((m = CAN_INLINE.exec(message))) {
    const out: ClassifiedMessage = { kind: 'can-inline', subject: g(m, 'subject') };
    if (m.groups!.cost !== undefined) out.cost = Number(m.groups!.cost);
    return out;
  }
  if ((m = CANNOT_INLINE.exec(message))) {
    const detail = g(m, 'detail');
    const out: ClassifiedMessage = { kind: 'cannot-inline', subject: g(m, 'subject'), detail };
    const cost = COST_EXCEEDS.exec(detail);
    if (cost) out.cost = Number(cost.groups!.cost);
    return out;
  }
  if ((m = INLINING_CALL.exec(message))) return { kind: 'inlining-call', subject: g(m, 'subject') };
  if ((m = ESCAPES.exec(message))) return { kind: 'escapes-to-heap', ...splitFunction(g(m, 'subject')), explains: 'escape' };
  if ((m = NOT_ESCAPES.exec(message))) return { kind: 'does-not-escape', ...splitFunction(g(m, 'subject')) };
  if ((m = LEAKING_OTHER.exec(message))) return { kind: 'leaking-other', subject: m.groups!.subject ?? g(m, 'what') };
  if ((m = CAPTURING.exec(message) ?? SELF_ASSIGNMENT.exec(message))) return { kind: 'other', subject: g(m, 'subject'), function: g(m, 'fn') };
  return { kind: 'other', subject: '' };
}

/**
 * Splits the old analyzer's `function expression` (`main &x`, `search.func2 ([]byte)(pattern)`,
 * `(*File).close .this`) from a modern expression that merely contains a space (`func literal`,
 * `... argument`, `"a" + b`, `a + b`, `map[string]interface {}{...}`).
 */
function splitFunction(text: string): { subject: string; function?: string } {
  const m = OLD_PREFIX.exec(text);
  if (!m) return { subject: text };
  const fn = g(m, 'fn');
  const rest = g(m, 'rest');
  if (KEYWORDS.has(fn) || BINARY_OP.test(rest)) return { subject: text };
  return { subject: rest, function: fn };
}

/** Whether a -m=2 leak explanation (`leaksTo`) may be what a summary line (`toResult`) sums up. */
export function leakMatches(leaksTo: string | undefined, toResult: string | undefined): boolean {
  if (toResult !== undefined) return leaksTo === toResult;
  return leaksTo === undefined || !RESULT_NAME.test(leaksTo);
}

function g(m: RegExpExecArray, name: string): string {
  return m.groups![name] ?? '';
}
