/**
 * Frames of `perf script` stacks: the lines under a sample's header line, and the ip/sym/dso that perf
 * prints at the end of the header line itself when the sample has no call graph.
 *
 * perf prints a frame in tools/perf/util/evsel_fprintf.c
 * (https://github.com/torvalds/linux/blob/master/tools/perf/util/evsel_fprintf.c), sample__fprintf_callchain:
 *
 *   '\t' "%16" PRIx64 ip, ' ' symbol ["+0x%lx" offset], " (" dso ")", ["\n  " srcline], [" (inlined)"], '\n'
 *
 * (inlined frames print no dso; perf 3.x printed spaces instead of the tab; sample__fprintf_sym prints the
 * same fields on the header line when there is no call graph). Real lines (test fixtures and the
 * FlameGraph corpus):
 *
 *   \tffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])
 *   \t           395dd runtime.schedinit+0x1d (/go/src/mapstress/mapstress)
 *   \t           2bb85 runtime.(*scavengeIndex).grow+0x185 (/go/src/mapstress/mapstress)
 *   \t  7fff827af16000 [unknown] ([unknown])
 *   \t            1380 [unknown] (/tmp/perf_sample_formats_x/work-deleted (deleted))
 *   \t            12f7 ns::Box<long>::spin(long) [clone .isra.0]+0x17 (/tmp/.../work)
 *   \t           13316 <tr::Sq as tr::Shape>::area+0x56 (/tmp/.../tr)
 *   \t    7fa0b4938cc9 StubRoutines (1)+0xc9 (/tmp/perf-29277.map)
 *   \t    7fa0b4ec83ef long Hot.loop(Hot$Op, int)+0xcf (/tmp/perf-29277.map)
 *   \t    7f89cc467bf0 Ljava/io/PrintStream;::println->Ljava/io/PrintStream;::print+0x0 (/tmp/perf-10487.map)
 *   \t            117e inl_outer+0xe (inlined)
 *   \t            1380 touch_pages (/tmp/.../work)                     (-F without symoff)
 *                13a80b608e0a RegExp:[&<>\"\'] (/tmp/perf-7539.map)    (perf 3.x: spaces)
 *   ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])        (no indent at all)
 *
 * and the source line under a frame with `-F +srcline` (two spaces, then `file:line`, `??:0`, or
 * `[kernel.kallsyms][ffffffff8226dbf9]`, with ` (inlined)` when the frame above was inlined):
 *
 *     work.cpp:34
 *     inl.c:3 (inlined)
 *
 * Symbols contain spaces and parentheses, so the dso is found from the end of the line: the parenthesized
 * group that closes the line (nesting counted, for `(/x (deleted))`), preceded by a blank. No regex: this
 * runs for most lines of the input.
 */
import type { PerfFrame } from '../../model/perf.js';

const SPACE = 0x20;
const TAB = 0x09;
const LPAREN = 0x28;
const RPAREN = 0x29;
const PLUS = 0x2b;
const LOWER_X = 0x78;
const DIGIT_0 = 0x30;

// header-fields.ts has the same isBlank; this local copy is on purpose: importing that one made
// PerfScriptParser 4-5% slower on mapstress (112-114 ms -> 117-119 ms, review measurement).
function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * The frame on `s.slice(start, end)` (a stack line without its line break), or undefined when the line
 * is not a frame. A frame has an address or a dso: `THIS_IS_A_WEIRD_LINE` is not one, `foo (libc.so.6)`
 * (`-F sym,dso`) and `7f12` (`-F ip`) are. With `requireAddress`, only lines that start with an address.
 */
export function parseFrameLine(s: string, start: number, end: number, requireAddress = false): PerfFrame | undefined {
  let i = start;
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  let e = end;
  while (e > i && isBlank(s.charCodeAt(e - 1))) e--;
  if (i >= e) return undefined;

  // The address: a run of hex digits followed by a blank or the end of the line.
  let j = i;
  while (j < e && isHex(s.charCodeAt(j))) j++;
  let address: string | undefined;
  let symStart = i;
  if (j > i && (j === e || isBlank(s.charCodeAt(j)))) {
    address = s.slice(i, j);
    symStart = j;
    while (symStart < e && isBlank(s.charCodeAt(symStart))) symStart++;
  } else if (requireAddress) {
    return undefined;
  }
  return frameFrom(s, address, symStart, e);
}

/** The frame whose symbol starts at `symStart` and whose line (trimmed) ends at `e`. */
function frameFrom(s: string, address: string | undefined, symStart: number, e: number): PerfFrame | undefined {
  let symEnd = e;
  let dso: string | undefined;
  let inlined = false;
  const open = closingGroup(s, symStart, e);
  if (open >= 0) {
    if (e - open === 9 && s.startsWith('(inlined)', open)) {
      inlined = true;
    } else {
      dso = s.slice(open + 1, e - 1);
    }
    symEnd = open;
    while (symEnd > symStart && isBlank(s.charCodeAt(symEnd - 1))) symEnd--;
  }
  if (address === undefined && dso === undefined) return undefined;

  // The offset: `+0x` and hex digits at the end of the symbol (scanned by hand: lastIndexOf is slow).
  let offset: string | undefined;
  let h = symEnd;
  while (h > symStart && isHex(s.charCodeAt(h - 1))) h--;
  if (
    h < symEnd &&
    h - symStart >= 3 &&
    s.charCodeAt(h - 1) === LOWER_X &&
    s.charCodeAt(h - 2) === DIGIT_0 &&
    s.charCodeAt(h - 3) === PLUS
  ) {
    offset = s.slice(h - 2, symEnd);
    symEnd = h - 3;
  }
  const symbol = s.slice(symStart, symEnd);
  if (address !== undefined && offset !== undefined && dso !== undefined && !inlined) {
    return { address, symbol, offset, dso };
  }
  const f: PerfFrame = address !== undefined ? { address, symbol } : { symbol };
  if (offset !== undefined) f.offset = offset;
  if (dso !== undefined) f.dso = dso;
  if (inlined) f.inlined = true;
  return f;
}

/**
 * Where the parenthesized group that ends at `e` (exclusive; `s[e - 1]` is `)`) opens, when it is preceded
 * by a blank or starts the symbol; -1 otherwise. Nesting is counted (`(/x (deleted))`); when the parentheses
 * do not balance, the last ` (` is taken.
 */
function closingGroup(s: string, symStart: number, e: number): number {
  if (e <= symStart || s.charCodeAt(e - 1) !== RPAREN) return -1;
  let depth = 0;
  let open = -1;
  for (let k = e - 1; k >= symStart; k--) {
    const c = s.charCodeAt(k);
    if (c === RPAREN) depth++;
    else if (c === LPAREN && --depth === 0) {
      open = k;
      break;
    }
  }
  if (open < 0) {
    open = s.lastIndexOf(' (', e - 1);
    if (open < symStart) return -1;
    open++;
  }
  if (open > symStart && !isBlank(s.charCodeAt(open - 1))) return -1;
  return open;
}

function allHex(s: string, a: number, b: number): boolean {
  for (let k = a; k < b; k++) if (!isHex(s.charCodeAt(k))) return false;
  return b > a;
}

/**
 * Splits the ip/sym/dso that perf prints at the end of a header line without a call graph off the text
 * after `event:` (`rest`, trimmed). Returns the frame and what precedes it (a tracepoint payload, or the
 * `-F addr` address and its symbol), or undefined when `rest` does not end with a frame:
 *
 *   7fcebcf52f38 intel_check_word.constprop.0+0x158 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)
 *   fd: 0x00000005, buf: 0x7f6d2ed3dd40, count: 0x00000100     7f6d2f63b38f __GI___libc_write (/usr/lib/...)
 *   55bb9e20a088 __TMC_END__ (/tmp/.../work) ffffffff8177539a elf_load ([kernel.kallsyms])
 *   7fcebcf52f38 intel_check_word.constprop.0                  (-F ip,sym: no dso)
 *
 * The frame's address is the last hex token (after a blank) with symbol text between it and the dso. Payloads such as `NR 262 (ffffff9c, 7ffd8f43fec0, 0, 0, 0, 0)` or `(562ae6d4d310 <- 562ae6d4d47e)`
 * do not qualify.
 */
export function splitHeaderLineFrame(rest: string): { payload: string; frame: PerfFrame } | undefined {
  const e = rest.length;
  if (e === 0) return undefined;
  const open = closingGroup(rest, 0, e);
  if (open < 0) {
    // No dso printed: the whole text must be `ip symbol`.
    const f = parseFrameLine(rest, 0, e, true);
    return f !== undefined ? { payload: '', frame: f } : undefined;
  }
  // Walk the tokens before the dso from the right; the address is the last hex token among them.
  let k = open;
  while (k > 0) {
    while (k > 0 && isBlank(rest.charCodeAt(k - 1))) k--;
    const tokEnd = k;
    while (k > 0 && !isBlank(rest.charCodeAt(k - 1))) k--;
    if (tokEnd > k && allHex(rest, k, tokEnd) && skipBlanks(rest, tokEnd, e) < open) {
      const f = frameFrom(rest, rest.slice(k, tokEnd), skipBlanks(rest, tokEnd, e), e);
      if (f === undefined) return undefined;
      return { payload: rest.slice(0, k).trimEnd(), frame: f };
    }
  }
  return undefined;
}

function skipBlanks(s: string, i: number, end: number): number {
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  return i;
}

/**
 * The `-F +srcline` line under a frame (`  work.cpp:34`, `  inl.c:3 (inlined)`), applied to that frame.
 * `s.slice(start, end)` starts with the two spaces.
 */
export function applySrcline(frame: PerfFrame, s: string, start: number, end: number): void {
  let a = start;
  while (a < end && isBlank(s.charCodeAt(a))) a++;
  let b = end;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  if (b - a >= 10 && s.startsWith(' (inlined)', b - 10)) {
    frame.inlined = true;
    b -= 10;
  }
  frame.srcline = s.slice(a, b);
}

/** `  work.cpp:34`: exactly two spaces, then text. */
export function looksLikeSrcline(s: string, start: number, end: number): boolean {
  return (
    end - start > 2 && s.charCodeAt(start) === SPACE && s.charCodeAt(start + 1) === SPACE && !isBlank(s.charCodeAt(start + 2))
  );
}
