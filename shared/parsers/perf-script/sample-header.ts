/**
 * The header line of a `perf script` sample (and the same prefix before `PERF_RECORD_*` task records).
 *
 * perf prints it in tools/perf/builtin-script.c
 * (https://github.com/torvalds/linux/blob/master/tools/perf/builtin-script.c), perf_sample__fprintf_start
 * and process_event, each field only when `-F` selects it:
 *
 *   comm     "%16s " (right-aligned; "%s " when a call graph follows: `-g` recordings start at column 0)
 *   pid/tid  "%5d/%-5d ", or "%5d " for the tid (or the pid) alone
 *   cpu      "[%03d] "
 *   time     "%12s: " seconds.micros ("%5lu.%09llu: " with --ns)
 *   period   "%10" PRIu64 " "
 *   event    "%*s: " padded to the longest event name, modifiers included (`cpu-clock:uhH`)
 *   then the tracepoint payload, `-F addr`, and the ip/sym/dso when no call graph follows
 *
 * Real lines this parses (from test/fixtures/perf-script/sample-formats/ and the FlameGraph corpus):
 *
 *   mapstress  6341   528.254236:     250000             task-clock:
 *   my worker 2 21340  4679.388570:     250000 task-clock:
 *   w:[1] 21564/21567 [000]  4702.211141:     250000 task-clock:
 *   1234 21348  4680.350754: PERF_RECORD_COMM: 1234:21344/21348
 *               work 21350  4681.417750:     250000 task-clock:      7fcebcf52f38 intel_check_word...
 *   mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: 0x00000000, uattr: 0xc0000666b8, ...
 *   my worker 2 22889 [001]  4804.401788:         probe_work:work: (555e17839310) a=11 c=97
 *   w:[1] 21341 task-clock:                          (-F comm,tid,event,...: no time, no period)
 *   21341  4679.384327: task-clock:                  (-F tid,time,...: no comm)
 *   w:[1]  4679.384327: task-clock:                  (-F comm,time,...: no pid/tid)
 *   java 19983 cycles:
 *   emulator  4152 75695.008865:          1 cycles:u:
 *   perf   977/977   [000] 7628263.042515: cycles:
 *   swapper     0     0.000000: PERF_RECORD_MMAP -1/0: [0xffffffff81000000(0x1276508) @ ...]: x [kernel.kallsyms]_text
 *
 * and simpleperf's report_sample.py, whose old versions printed "%s\t%d [%03d] %d.%d:\t\t%d %s:" with the
 * microseconds NOT zero-padded (`12.5678` is 12 s + 5678 us); current ones print "%s\t%d/%d [%03d] %d.%06d: %d %s:".
 *
 * The comm is free text (spaces, digits, colons, brackets, or empty), so the line is read as tokens
 * (runs of non-blank characters; spaces and tabs both separate) and the pid/tid is the first
 * all-digit token after which the remaining fields fit: [cpu] [time:] [period] event: (or PERF_RECORD_X).
 * `my worker 2 21340 4679.388570: 250000 task-clock:` tries `2` (then `21340` is not a cpu, a time,
 * or a period followed by an event) and settles on `21340`. Without a time, a comm whose last word is
 * a number reads two ways (`1234 21348 task-clock:`: comm `1234`, or tid 1234 and period 21348);
 * HeaderParser settles those with what the input's other lines of the same event showed.
 */

/** What a header line holds. Numbers are absent when perf did not print them (`-F` subsets). */
export interface SampleHeader {
  comm: string;
  pid?: number;
  /** -1 when perf printed no pid/tid (`-F comm,time,event,...`) or no sample prefix at all. */
  tid: number;
  cpu?: number;
  timeNs?: bigint;
  period?: number;
  /** The event name without its final `:`; '' for task records. */
  event: string;
  /** `COMM` for `PERF_RECORD_COMM` lines; absent for samples. */
  record?: string;
  /** Samples: the text after `event:`, trimmed. Task records: the text after `PERF_RECORD_X`, trimmed. */
  rest: string;
}

const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const SLASH = 0x2f;
const MINUS = 0x2d;
const DOT = 0x2e;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

const RECORD_PREFIX = 'PERF_RECORD_';

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/**
 * The tokens of the line being parsed, split on demand: a header line needs its first few tokens only,
 * not those of its payload. Single-threaded and not reentrant, like the parser.
 */
const MAX_TOKENS = 48;
const tokStart = new Int32Array(MAX_TOKENS);
const tokEnd = new Int32Array(MAX_TOKENS);
let tokLine = '';
let tokPos = 0;
let tokLimit = 0;
let tokCount = 0;

function tokenize(s: string, start: number, end: number): void {
  tokLine = s;
  tokPos = start;
  tokLimit = end;
  tokCount = 0;
}

/** True when token `k` exists (splitting the line up to it if needed). */
function has(k: number): boolean {
  while (tokCount <= k) {
    if (tokCount === MAX_TOKENS) return false;
    const s = tokLine;
    let i = tokPos;
    const end = tokLimit;
    while (i < end && isBlank(s.charCodeAt(i))) i++;
    if (i >= end) {
      tokPos = i;
      return false;
    }
    tokStart[tokCount] = i;
    while (i < end && !isBlank(s.charCodeAt(i))) i++;
    tokEnd[tokCount] = i;
    tokCount++;
    tokPos = i;
  }
  return true;
}

/** Which optional fields a header line had: perf prints the same ones for every sample of an event. */
const HAS_PID = 1;
const HAS_CPU = 2;
const HAS_TIME = 4;
const HAS_PERIOD = 8;

function layoutOf(h: SampleHeader): number {
  return (
    (h.pid !== undefined ? HAS_PID : 0) |
    (h.cpu !== undefined ? HAS_CPU : 0) |
    (h.timeNs !== undefined ? HAS_TIME : 0) |
    (h.period !== undefined ? HAS_PERIOD : 0)
  );
}

function keyOf(h: SampleHeader): string {
  return h.record !== undefined ? 'PERF_RECORD' : h.event;
}

/**
 * Parses header lines of one input. It remembers, per event, which optional fields the lines that could
 * be read only one way had, and uses that to settle lines that read two ways: with `-F comm,tid,event`,
 * `1234 21348 task-clock:` is comm `1234` and tid 21348 (not tid 1234 and period 21348) once a line such
 * as `work 28370 task-clock:` has shown that this event's lines carry no period. Lines that stay
 * ambiguous take the leftmost pid/tid.
 */
export class HeaderParser {
  private readonly layouts = new Map<string, number>();

  /**
   * Parses `s.slice(start, end)` (no line break in it) as a header line. Returns undefined when it is
   * not one: stack lines, perf's warnings, garbage.
   */
  parse(s: string, start: number, end: number): SampleHeader | undefined {
    tokenize(s, start, end);
    if (!has(0)) return undefined;

    // `PERF_RECORD_FINISHED_ROUND` and friends, printed without the sample prefix.
    if (s.startsWith(RECORD_PREFIX, tokStart[0]!)) return fields(s, start, end, 0, -1, '');

    // The pid/tid: the first all-digit (or pid/tid) token the rest of the fields fit after; other
    // candidates before that reading's event token make the line ambiguous.
    let first: SampleHeader | undefined;
    let firstEventTok = MAX_TOKENS;
    let readings = 0;
    let other: SampleHeader | undefined;
    for (let k = 0; k < firstEventTok && has(k); k++) {
      if (!isTidToken(s, tokStart[k]!, tokEnd[k]!)) continue;
      const comm = k === 0 ? '' : s.slice(tokStart[0]!, tokEnd[k - 1]!);
      const h = fields(s, start, end, k + 1, k, comm);
      if (h === undefined) continue;
      readings++;
      if (first === undefined) {
        first = h;
        firstEventTok = lastEventTok;
      } else if (other === undefined) {
        const want = this.layouts.get(keyOf(h));
        if (want !== undefined && want === layoutOf(h) && want !== layoutOf(first)) other = h;
      }
    }
    if (first !== undefined) {
      if (other !== undefined) return other;
      if (readings === 1) {
        const key = keyOf(first);
        if (!this.layouts.has(key)) this.layouts.set(key, layoutOf(first));
      }
      return first;
    }
    // No pid/tid printed: the comm runs up to the first [cpu] or time token, which must be there.
    for (let k = 0; has(k); k++) {
      const a = tokStart[k]!;
      const b = tokEnd[k]!;
      if (!isCpuToken(s, a, b) && !isTimeToken(s, a, b)) continue;
      const comm = k === 0 ? '' : s.slice(tokStart[0]!, tokEnd[k - 1]!);
      return fields(s, start, end, k, -1, comm);
    }
    return undefined;
  }
}

/** Index of the event (or PERF_RECORD_X) token of the last successful `fields` call. */
let lastEventTok = 0;

/**
 * The fields after the pid/tid (token `tidTok`, or -1 when none): [cpu] [time:] [period] event: | PERF_RECORD_X.
 * Token `j` is the first one after the pid/tid.
 */
function fields(s: string, lineStart: number, end: number, j: number, tidTok: number, comm: string): SampleHeader | undefined {
  let pid: number | undefined;
  let tid = -1;
  if (tidTok >= 0) {
    const a = tokStart[tidTok]!;
    const b = tokEnd[tidTok]!;
    const slash = s.indexOf('/', a);
    if (slash >= 0 && slash < b) {
      pid = parseIntAt(s, a, slash);
      tid = parseIntAt(s, slash + 1, b);
    } else {
      tid = parseIntAt(s, a, b);
    }
  }
  let cpu: number | undefined;
  if (has(j) && isCpuToken(s, tokStart[j]!, tokEnd[j]!)) {
    cpu = parseIntAt(s, tokStart[j]! + 1, tokEnd[j]! - 1);
    j++;
  }
  let timeNs: bigint | undefined;
  if (has(j) && isTimeToken(s, tokStart[j]!, tokEnd[j]!)) {
    timeNs = parseTime(s, tokStart[j]!, tokEnd[j]! - 1, isOldSimpleperf(s, lineStart, tidTok, tokEnd[j]!, end));
    j++;
  }
  if (!has(j)) return undefined;
  if (s.startsWith(RECORD_PREFIX, tokStart[j]!)) {
    // `PERF_RECORD_COMM exec: work:21344/21344`, `PERF_RECORD_FORK(21344:21346):(21344:21344)`
    const a = tokStart[j]! + RECORD_PREFIX.length;
    let b = a;
    while (b < end && isRecordNameChar(s.charCodeAt(b))) b++;
    if (b === a) return undefined;
    lastEventTok = j;
    const h: SampleHeader = { comm, tid, event: '', record: s.slice(a, b), rest: s.slice(b, end).trim() };
    return withNumbers(h, pid, cpu, timeNs, undefined);
  }
  let period: number | undefined;
  if (isDigits(s, tokStart[j]!, tokEnd[j]!) && has(j + 1) && isEventToken(s, tokStart[j + 1]!, tokEnd[j + 1]!)) {
    period = parseIntAt(s, tokStart[j]!, tokEnd[j]!);
    j++;
  }
  if (!isEventToken(s, tokStart[j]!, tokEnd[j]!)) return undefined;
  if (tidTok < 0 && cpu === undefined && timeNs === undefined) return undefined;
  lastEventTok = j;
  const h: SampleHeader = {
    comm,
    tid,
    event: s.slice(tokStart[j]!, tokEnd[j]! - 1),
    rest: s.slice(tokEnd[j]!, end).trim(),
  };
  return withNumbers(h, pid, cpu, timeNs, period);
}

function withNumbers(
  h: SampleHeader,
  pid: number | undefined,
  cpu: number | undefined,
  timeNs: bigint | undefined,
  period: number | undefined,
): SampleHeader {
  if (pid !== undefined) h.pid = pid;
  if (cpu !== undefined) h.cpu = cpu;
  if (timeNs !== undefined) h.timeNs = timeNs;
  if (period !== undefined) h.period = period;
  return h;
}

/** `21340`, `21564/21567`, `-1`, `-1/0` */
function isTidToken(s: string, a: number, b: number): boolean {
  let i = a;
  if (s.charCodeAt(i) === MINUS) i++;
  const d0 = i;
  while (i < b && isDigit(s.charCodeAt(i))) i++;
  if (i === d0) return false;
  if (i === b) return true;
  if (s.charCodeAt(i) !== SLASH) return false;
  i++;
  if (s.charCodeAt(i) === MINUS) i++;
  const d1 = i;
  while (i < b && isDigit(s.charCodeAt(i))) i++;
  return i > d1 && i === b;
}

/** `[000]` */
function isCpuToken(s: string, a: number, b: number): boolean {
  return b - a >= 3 && s.charCodeAt(a) === LBRACKET && s.charCodeAt(b - 1) === RBRACKET && isDigits(s, a + 1, b - 1);
}

/** `528.254236:`, `4679.384327045:`, `10000000.123456789:` */
function isTimeToken(s: string, a: number, b: number): boolean {
  if (b - a < 4 || s.charCodeAt(b - 1) !== COLON) return false;
  const dot = s.indexOf('.', a);
  if (dot <= a || dot >= b - 2) return false;
  return isDigits(s, a, dot) && isDigits(s, dot + 1, b - 1);
}

/** `task-clock:`, `cycles:u:`, `sched:sched_switch:`, `probe_work:work__return:` (not a time). */
function isEventToken(s: string, a: number, b: number): boolean {
  if (b - a < 2 || s.charCodeAt(b - 1) !== COLON) return false;
  // A bare number with a colon is a time or garbage, not an event name.
  for (let i = a; i < b - 1; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && c !== DOT) return true;
  }
  return false;
}

function isDigits(s: string, a: number, b: number): boolean {
  if (b <= a) return false;
  for (let i = a; i < b; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

function isRecordNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f; // A-Z 0-9 _
}

function parseIntAt(s: string, a: number, b: number): number {
  let neg = false;
  if (s.charCodeAt(a) === MINUS) {
    neg = true;
    a++;
  }
  let v = 0;
  for (let i = a; i < b; i++) v = v * 10 + (s.charCodeAt(i) - DIGIT_0);
  return neg ? -v : v;
}

const NS_PER_S = 1_000_000_000n;
/** Below this many seconds (~104 days), seconds * 1e9 + ns is exact in a double. */
const SAFE_SECONDS = 9_000_000;
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/**
 * `528.254236` (s.slice(a, b), no colon) as integer nanoseconds, exactly: 6 decimals (perf's default),
 * 9 (--ns), any other count; digits past the ninth are truncated. `usecUnpadded`: the fraction is an
 * integer count of microseconds (old simpleperf), not a decimal fraction.
 */
export function parseTime(s: string, a: number, b: number, usecUnpadded = false): bigint {
  const dot = s.indexOf('.', a);
  let frac = 0;
  let fracDigits = 0;
  for (let i = dot + 1; i < b && fracDigits < 9; i++, fracDigits++) frac = frac * 10 + (s.charCodeAt(i) - DIGIT_0);
  const fracNs = usecUnpadded && fracDigits <= 6 ? frac * 1000 : frac * POW10[9 - fracDigits]!;
  if (dot - a <= 15) {
    const sec = parseIntAt(s, a, dot);
    if (sec < SAFE_SECONDS) return BigInt(sec * 1e9 + fracNs);
    return BigInt(sec) * NS_PER_S + BigInt(fracNs);
  }
  return BigInt(s.slice(a, dot)) * NS_PER_S + BigInt(fracNs);
}

/**
 * Old simpleperf report_sample.py: "%s\t%d [%03d] %d.%d:\t\t%d %s:" — a tab between comm and tid and two
 * tabs after the time. Only that shape switches the fraction to unpadded microseconds.
 */
function isOldSimpleperf(s: string, lineStart: number, tidTok: number, timeEnd: number, end: number): boolean {
  if (tidTok <= 0 || timeEnd + 1 >= end) return false;
  if (s.charCodeAt(timeEnd) !== TAB || s.charCodeAt(timeEnd + 1) !== TAB) return false;
  const beforeTid = tokStart[tidTok]! - 1;
  return beforeTid >= lineStart && s.charCodeAt(beforeTid) === TAB;
}

/**
 * Event names that are tracepoints or probes (`sched:sched_switch`, `probe_work:work__return`,
 * `syscalls:sys_enter_bpf`), as opposed to counters with modifiers (`cycles:ppp`, `cpu-clock:uhH`):
 * there is a `:` and what follows it is not made of perf's modifier letters
 * (tools/perf/util/parse-events.l, `modifier_event`).
 */
export function isTracepointEvent(event: string): boolean {
  const colon = event.indexOf(':');
  if (colon <= 0 || colon === event.length - 1) return false;
  for (let i = colon + 1; i < event.length; i++) {
    if (MODIFIERS.indexOf(event[i]!) < 0) return true;
  }
  return false;
}

const MODIFIERS = 'ukhIGHpPSDWebRr';
