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

import {
  DOT,
  find,
  isBlank,
  isCpuToken,
  isDigit,
  isDigits,
  isEventToken,
  isRecordNameChar,
  isTidToken,
  isTimeToken,
  LBRACKET,
  parseIntAt,
  parseTime,
  RBRACKET,
  RECORD_PREFIX,
  SLASH,
  TAB,
} from './header-fields.js';

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
const HAS_TID = 16;

/** Header lines as `fields` reads them, with the layout of the reading. */
interface Reading extends SampleHeader {
  layout: number;
}

function keyOf(h: Reading): string {
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
  /** Some event's lines carry no pid/tid: every line takes the general path (see `quick`). */
  private noTidSeen = false;

  /** `quick: false` turns off the one-pass reading of usual lines (tests compare the two). */
  constructor(private readonly opts: { quick?: boolean } = {}) {}

  /**
   * Parses `s.slice(start, end)` (no line break in it) as a header line. Returns undefined when it is
   * not one: stack lines, perf's warnings, garbage.
   */
  parse(s: string, start: number, end: number): SampleHeader | undefined {
    if (!this.noTidSeen && this.opts.quick !== false) {
      const h = quick(s, start, end);
      if (h !== undefined) return h;
    }
    return this.read(s, start, end);
  }

  private read(s: string, start: number, end: number): Reading | undefined {
    tokenize(s, start, end);
    if (!has(0)) return undefined;

    // `PERF_RECORD_FINISHED_ROUND` and friends, printed without the sample prefix.
    if (s.startsWith(RECORD_PREFIX, tokStart[0]!)) return fields(s, start, end, 0, -1, '');

    // The pid/tid: the first all-digit (or pid/tid) token the rest of the fields fit after; other
    // readings (a later pid/tid candidate before that reading's event token, or none at all) make the
    // line ambiguous, and the layout this event's unambiguous lines had decides.
    let first: Reading | undefined;
    let firstEventTok = MAX_TOKENS;
    let readings = 0;
    let other: Reading | undefined;
    let want: number | undefined;
    for (let k = 0; k < firstEventTok && has(k); k++) {
      if (!isTidToken(s, tokStart[k]!, tokEnd[k]!)) continue;
      const comm = k === 0 ? '' : s.slice(tokStart[0]!, tokEnd[k - 1]!);
      const h = fields(s, start, end, k + 1, k, comm);
      if (h === undefined) continue;
      readings++;
      if (first === undefined) {
        first = h;
        firstEventTok = lastEventTok;
        want = this.layouts.get(keyOf(h));
      } else if (other === undefined && want !== undefined && h.layout === want && first.layout !== want) {
        other = h;
      }
    }
    if (first !== undefined) {
      if (want === undefined || first.layout === want) {
        // With the pid/tid first (no comm), the line also reads as a numeric comm without pid/tid: not learned.
        if (readings === 1 && want === undefined && first.comm !== '') this.layouts.set(keyOf(first), first.layout);
        return first;
      }
      if (other !== undefined) return other;
      if ((want & HAS_TID) === 0) {
        const h = this.noTid(s, start, end);
        if (h !== undefined && h.layout === want) return h;
      }
      return first;
    }
    const h = this.noTid(s, start, end);
    if (h !== undefined && !this.layouts.has(keyOf(h))) {
      this.layouts.set(keyOf(h), h.layout);
      this.noTidSeen = true;
    }
    return h;
  }

  /** The reading without a pid/tid: the comm runs up to the first [cpu] or time token, which must be there. */
  private noTid(s: string, start: number, end: number): Reading | undefined {
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

/**
 * The usual line in one pass, without tokens: `comm tid [cpu] time: [period] event: payload`
 * (`mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: ...`). With a time printed, the
 * pid/tid can only be the token just before the time (or its `[cpu]`), so this gives what the general
 * path gives; anything else (no time, task records, old simpleperf, odd tokens) returns undefined and
 * takes the general path.
 */
function quick(s: string, start: number, end: number): Reading | undefined {
  // The time: the first `:` after `digits.digits` that follows a blank.
  let colon = start - 1;
  let timeStart = -1;
  for (;;) {
    colon = s.indexOf(':', colon + 1);
    if (colon < 0 || colon >= end) return undefined;
    let k = colon - 1;
    while (k >= start && isDigit(s.charCodeAt(k))) k--;
    if (k === colon - 1 || k < start || s.charCodeAt(k) !== DOT) continue;
    const dot = k--;
    while (k >= start && isDigit(s.charCodeAt(k))) k--;
    if (k === dot - 1 || k < start || !isBlank(s.charCodeAt(k))) continue;
    timeStart = k + 1;
    break;
  }
  if (colon + 1 < end && s.charCodeAt(colon + 1) === TAB) return undefined;

  // Leftwards: [cpu], the pid/tid, the comm.
  let k = timeStart - 1;
  while (k >= start && isBlank(s.charCodeAt(k))) k--;
  let cpu: number | undefined;
  if (k >= start && s.charCodeAt(k) === RBRACKET) {
    const close = k--;
    while (k >= start && isDigit(s.charCodeAt(k))) k--;
    if (k === close - 1 || k < start || s.charCodeAt(k) !== LBRACKET) return undefined;
    cpu = parseIntAt(s, k + 1, close);
    if (--k < start || !isBlank(s.charCodeAt(k))) return undefined;
    while (k >= start && isBlank(s.charCodeAt(k))) k--;
  }
  const tidEnd = k + 1;
  while (k >= start && !isBlank(s.charCodeAt(k))) k--;
  const tidStart = k + 1;
  if (tidStart >= tidEnd || !isTidToken(s, tidStart, tidEnd)) return undefined;
  while (k >= start && isBlank(s.charCodeAt(k))) k--;
  let c = start;
  while (c <= k && isBlank(s.charCodeAt(c))) c++;
  const comm = c <= k ? s.slice(c, k + 1) : '';

  // Rightwards: [period], the event, the rest.
  let i = colon + 1;
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  let period: number | undefined;
  let j = i;
  while (j < end && isDigit(s.charCodeAt(j))) j++;
  if (j > i && j < end && isBlank(s.charCodeAt(j))) {
    period = parseIntAt(s, i, j);
    i = j;
    while (i < end && isBlank(s.charCodeAt(i))) i++;
  }
  let e = i;
  while (e < end && !isBlank(s.charCodeAt(e))) e++;
  if (!isEventToken(s, i, e) || s.startsWith(RECORD_PREFIX, i)) return undefined;
  let restStart = e;
  while (restStart < end && isBlank(s.charCodeAt(restStart))) restStart++;
  let restEnd = end;
  while (restEnd > restStart && isBlank(s.charCodeAt(restEnd - 1))) restEnd--;

  let pid: number | undefined;
  let tid: number;
  const slash = find(s, SLASH, tidStart, tidEnd);
  if (slash >= 0) {
    pid = parseIntAt(s, tidStart, slash);
    tid = parseIntAt(s, slash + 1, tidEnd);
  } else {
    tid = parseIntAt(s, tidStart, tidEnd);
  }
  const h: Reading = {
    comm,
    tid,
    event: s.slice(i, e - 1),
    rest: restStart < restEnd ? s.slice(restStart, restEnd) : '',
    layout: 0,
  };
  return withNumbers(h, true, pid, cpu, parseTime(s, timeStart, colon), period);
}

/** Index of the event (or PERF_RECORD_X) token of the last successful `fields` call. */
let lastEventTok = 0;

/**
 * The fields after the pid/tid (token `tidTok`, or -1 when none): [cpu] [time:] [period] event: | PERF_RECORD_X.
 * Token `j` is the first one after the pid/tid.
 */
function fields(s: string, lineStart: number, end: number, j: number, tidTok: number, comm: string): Reading | undefined {
  let pid: number | undefined;
  let tid = -1;
  if (tidTok >= 0) {
    const a = tokStart[tidTok]!;
    const b = tokEnd[tidTok]!;
    const slash = find(s, SLASH, a, b);
    if (slash >= 0) {
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
    const h: Reading = { comm, tid, event: '', record: s.slice(a, b), rest: s.slice(b, end).trim(), layout: 0 };
    return withNumbers(h, tidTok >= 0, pid, cpu, timeNs, undefined);
  }
  let period: number | undefined;
  if (isDigits(s, tokStart[j]!, tokEnd[j]!) && has(j + 1) && isEventToken(s, tokStart[j + 1]!, tokEnd[j + 1]!)) {
    period = parseIntAt(s, tokStart[j]!, tokEnd[j]!);
    j++;
  }
  if (!isEventToken(s, tokStart[j]!, tokEnd[j]!)) return undefined;
  if (tidTok < 0 && cpu === undefined && timeNs === undefined) return undefined;
  lastEventTok = j;
  const h: Reading = {
    comm,
    tid,
    event: s.slice(tokStart[j]!, tokEnd[j]! - 1),
    rest: s.slice(tokEnd[j]!, end).trim(),
    layout: 0,
  };
  return withNumbers(h, tidTok >= 0, pid, cpu, timeNs, period);
}

function withNumbers(
  h: Reading,
  hasTid: boolean,
  pid: number | undefined,
  cpu: number | undefined,
  timeNs: bigint | undefined,
  period: number | undefined,
): Reading {
  let layout = hasTid ? HAS_TID : 0;
  if (pid !== undefined) {
    h.pid = pid;
    layout |= HAS_PID;
  }
  if (cpu !== undefined) {
    h.cpu = cpu;
    layout |= HAS_CPU;
  }
  if (timeNs !== undefined) {
    h.timeNs = timeNs;
    layout |= HAS_TIME;
  }
  if (period !== undefined) {
    h.period = period;
    layout |= HAS_PERIOD;
  }
  h.layout = layout;
  return h;
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

