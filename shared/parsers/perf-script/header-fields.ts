/**
 * The fields of `perf script` header lines, one decoder each, on `s.slice(a, b)` of a larger string (no
 * copies): pid/tid, `[cpu]`, times as integer nanoseconds, event names. See sample-header.ts for the
 * line they come from (tools/perf/builtin-script.c, perf_sample__fprintf_start).
 */

export const SPACE = 0x20;
export const TAB = 0x09;
const COLON = 0x3a;
export const SLASH = 0x2f;
const MINUS = 0x2d;
export const DOT = 0x2e;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export const RECORD_PREFIX = 'PERF_RECORD_';

export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

export function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/** `21340`, `21564/21567`, `-1`, `-1/0` */
export function isTidToken(s: string, a: number, b: number): boolean {
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
export function isCpuToken(s: string, a: number, b: number): boolean {
  return b - a >= 3 && s.charCodeAt(a) === LBRACKET && s.charCodeAt(b - 1) === RBRACKET && isDigits(s, a + 1, b - 1);
}

/** `528.254236:`, `4679.384327045:`, `10000000.123456789:` */
export function isTimeToken(s: string, a: number, b: number): boolean {
  if (b - a < 4 || s.charCodeAt(b - 1) !== COLON) return false;
  const dot = find(s, DOT, a, b);
  if (dot <= a || dot >= b - 2) return false;
  return isDigits(s, a, dot) && isDigits(s, dot + 1, b - 1);
}

/** Index of `c` in s[a, b), or -1. (indexOf would search on past `b`, through the rest of the chunk.) */
export function find(s: string, c: number, a: number, b: number): number {
  for (let i = a; i < b; i++) if (s.charCodeAt(i) === c) return i;
  return -1;
}

/** `task-clock:`, `cycles:u:`, `sched:sched_switch:`, `probe_work:work__return:` (not a time). */
export function isEventToken(s: string, a: number, b: number): boolean {
  if (b - a < 2 || s.charCodeAt(b - 1) !== COLON) return false;
  // A bare number with a colon is a time or garbage, not an event name.
  for (let i = a; i < b - 1; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && c !== DOT) return true;
  }
  return false;
}

export function isDigits(s: string, a: number, b: number): boolean {
  if (b <= a) return false;
  for (let i = a; i < b; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

export function isRecordNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f; // A-Z 0-9 _
}

export function parseIntAt(s: string, a: number, b: number): number {
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
  let dot = find(s, DOT, a, b);
  if (dot < 0) dot = b;
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
