/**
 * Folded stacks from perf script records, with the semantics of FlameGraph's stackcollapse-perf.pl
 * (brendangregg/FlameGraph; the corpus in ../shared/corpus/flamegraph-perf pins the commit):
 *
 *   mapstress  6341   528.254236:     250000             task-clock:
 *   	ffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])
 *   	           395dd runtime.schedinit+0x1d (/go/src/mapstress/mapstress)
 *   	           612dc runtime.rt0_go.abi0+0x11c (/go/src/mapstress/mapstress)
 *
 * folds to `mapstress;runtime.rt0_go.abi0;runtime.schedinit;clear_page_erms 250000`.
 *
 * `PerfFolder` is the script, quirks included: only the first event type seen (or `eventFilter`),
 * weights from the period the header line shows, samples counted only when an empty line closes them,
 * and lines sorted as Perl's `sort { $a cmp $b }` sorts bytes. `PerfEventFolder` folds every event apart
 * with the same names, for reports. Both keep one entry per distinct stack (a list of interned name
 * ids) and caches per distinct symbol, module and comm: memory grows with those, never with the input.
 */
import type { PerfSample, PerfScriptSink, PerfTaskEvent, PerfWarning } from '../../model/perf.js';
import { copyString, FoldNames, SKIP } from './fold-names.js';
import { StackTable } from './stack-table.js';

/** The options of stackcollapse-perf.pl, and how samples weigh. */
export interface FoldOptions {
  /** `--pid`: process names as `comm-PID` (`comm-?` when perf printed only the tid). Default false. */
  pid?: boolean;
  /** `--tid`: process names as `comm-PID/TID`; wins over `pid`. Default false. */
  tid?: boolean;
  /** `--kernel`: `_[k]` after kernel functions (module `[...]` or `...vmlinux`). Default false. */
  kernel?: boolean;
  /** `--jit`: `_[j]` after functions from `/tmp/perf-PID.map`. Default false. */
  jit?: boolean;
  /** `--all`: both `kernel` and `jit`. Default false. */
  all?: boolean;
  /** `--addrs`: `[module <pc>]` instead of `[module]` for `[unknown]` functions. Default false. */
  addrs?: boolean;
  /**
   * `--event-filter EV`: fold only samples of this event. Default: the first event type seen
   * (PerfFolder, as the script), every event (PerfEventFolder).
   */
  eventFilter?: string;
  /** The process name as the stack's root (the script's `$include_pname`). Default true. */
  includeComm?: boolean;
  /** `period`: a sample weighs its period (1 when none is printed), as the script; `samples`: 1. Default `period`. */
  weighting?: 'samples' | 'period';
}

/** Bounds on what PerfEventFolder keeps (Limits.stackDepth, Limits.distinctStacks). Default: none. */
export interface FoldBounds {
  /** Frames kept per stack, the leaf-most, under a `[truncated]` frame after the process name. */
  maxDepth?: number;
  /** Distinct stacks kept over all events; samples of further new stacks add to the `[truncated]` stack. */
  maxStacks?: number;
}

/** What the bounds cut: deep stacks truncated, and samples (with their weight) folded into `[truncated]`. */
export interface FoldCuts {
  deepSamples: number;
  /** The deepest stack seen, in frames. */
  deepest: number;
  overflowSamples: number;
  overflowWeight: number;
}

/** The frame that marks a stack cut short, and the stack that takes samples past the distinct-stacks bound. */
export const TRUNCATED_FRAME = '[truncated]';

/** Folded stacks: `root;...;leaf` → weight. */
export type FoldedStacks = Map<string, number>;

// `^(\S.+?)\s+(\d+)\/*(\d+)*\s+` — the script's header line: `Processed 305063 events and lost ...`
const HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
// perf's session summaries, which it ends with an empty line (tools/perf/util/session.c).
const SESSION_SUMMARY = /^Processed \d+ (events|samples) and (lost|LOST) /;
// `:\s*(\d+)*\s+(\S+):\s*$` — the script's event and period: `... 666709.771979:   10101010 cpu-clock: `
const EVENT_AT_END = /:\s*(\d+)*\s+(\S+):\s*$/;

/**
 * stackcollapse-perf.pl as a PerfScriptSink. Feed it a parser's samples, then `format()` is what the
 * script prints to stdout and `notices` what it prints to stderr.
 */
export class PerfFolder implements PerfScriptSink {
  /** What the script prints to stderr (`Filtering for events of type: EV`), in order. */
  readonly notices: string[] = [];
  private readonly names: FoldNames;
  private readonly includeComm: boolean;
  private readonly byPeriod: boolean;
  private readonly table = new StackTable();
  private readonly stack = new StackBuilder();
  private filter: string | undefined;
  private defaulted = false;
  private warned = false;
  /** The script's `$pname` and `$m_period`: set by an accepted header line, cleared by an empty line. */
  private pname: string | undefined;
  private period = 1;
  private scriptPeriod: number | undefined;

  constructor(opts: FoldOptions = {}) {
    this.names = namesFor(opts);
    this.includeComm = opts.includeComm ?? true;
    this.byPeriod = (opts.weighting ?? 'period') === 'period';
    if (opts.eventFilter !== undefined && opts.eventFilter !== '') this.filter = opts.eventFilter;
  }

  sample(s: PerfSample): void {
    // The script reads nothing of a one-line sample (no call graph): perf pads its comm (`%16s`), so
    // its header line starts with spaces. A cut-off last sample is never committed.
    if (s.unclosed !== undefined) return;
    // The header line: an unreadable one (an empty comm) or a filtered one leaves `$pname` as it was
    // (undefined after an empty line, or a task record's process), and the stack still goes under it.
    const pname = this.names.processName(s);
    if (pname !== undefined && this.accepts(s)) {
      this.pname = pname;
      this.period = this.byPeriod && this.scriptPeriod ? this.scriptPeriod : 1;
    }
    // The empty line: commit the stack, forget the process.
    const name = this.pname;
    this.pname = undefined;
    if (name === undefined) return;
    const n = this.stack.build(this.names, s, name, this.includeComm);
    if (n > 0) this.table.add(this.stack.ids, n, this.period);
  }

  /**
   * A `PERF_RECORD_*` line reads as a header line to the script, with no event: it names the process
   * (weight 1) the next stack goes under when that stack's own header is filtered out.
   *   mapstress  6341   528.253990: PERF_RECORD_COMM exec: mapstress:6341/6341
   */
  task(t: PerfTaskEvent): void {
    const pname = this.names.processName(t);
    if (pname === undefined) return;
    this.pname = pname;
    this.period = 1;
  }

  /** How many distinct stacks so far. */
  get size(): number {
    return this.table.size;
  }

  /** The folded stacks (weights past 2^53 are rounded here; `format()` prints them exactly). */
  stacks(): FoldedStacks {
    return this.table.toMap(this.names.texts);
  }

  /** Exactly what stackcollapse-perf.pl prints to stdout. */
  format(): string {
    return formatFolded(this.table.entries(this.names.texts, true));
  }

  /**
   * perf's own messages, when its stderr went into the file: the script reads `Processed 305063
   * events and lost 1803 chunks!` as a header line (comm `Processed`), and perf prints an empty line
   * after it, so the script counts a stack of the process name alone.
   */
  warning(w: PerfWarning): void {
    if (!w.fromPerf) return;
    const m = HEADER.exec(w.message);
    if (m === null) return;
    const ids = m[3] !== undefined ? { pid: Number(m[2]), tid: Number(m[3]) } : { tid: Number(m[2]) };
    const pname = this.names.processName({ comm: m[1]!, ...ids });
    if (pname === undefined) return;
    if (SESSION_SUMMARY.test(w.message)) {
      if (this.includeComm) this.table.add(Int32Array.of(this.names.intern(pname)), 1, 1);
      this.pname = undefined;
    } else {
      this.pname = pname;
      this.period = 1;
    }
  }

  /** Whether the event filter lets the sample's header line through (the first event sets it). */
  private accepts(s: PerfSample): boolean {
    const event = this.scriptEvent(s);
    if (event === undefined) return true;
    if (this.filter === undefined) {
      // By default only the first event type: cycles and instructions together mislead.
      this.filter = copyString(event);
      this.defaulted = true;
      return true;
    }
    if (event === this.filter) return true;
    if (this.defaulted && !this.warned) {
      // The script names the event it drops, not the one it keeps.
      this.notices.push(`Filtering for events of type: ${event}`);
      this.warned = true;
    }
    return false;
  }

  /**
   * The event the script sees on the header line, with its period in `scriptPeriod`; undefined when
   * the line does not end in `event:` (tracepoint payloads, no time printed): such samples are
   * neither filtered nor weighted by the script.
   */
  private scriptEvent(s: PerfSample): string | undefined {
    this.scriptPeriod = undefined;
    const payload = s.payload;
    if (payload === '') {
      // `: PERIOD EVENT:` needs the colon after the time.
      if (s.timeNs === undefined) return undefined;
      this.scriptPeriod = s.period;
      return s.event;
    }
    if (payload.charCodeAt(payload.length - 1) !== 0x3a /* : */) return undefined;
    const m = EVENT_AT_END.exec(`: ${payload}`);
    if (!m) return undefined;
    if (m[1] !== undefined) this.scriptPeriod = Number(m[1]);
    return m[2];
  }
}

/**
 * Folded stacks per event (`cycles`, `task-clock`, `syscalls:sys_enter_bpf`, ...), named as
 * PerfFolder names them, for reports: every sample counts under its own event (an empty line is not
 * needed to close it), weighted by its period with `weighting: 'period'`.
 */
export class PerfEventFolder implements PerfScriptSink {
  private readonly names: FoldNames;
  private readonly includeComm: boolean;
  private readonly byPeriod: boolean;
  private readonly filter: string | undefined;
  private readonly events = new Map<string, { key: string; table: StackTable }>();
  private readonly stack = new StackBuilder();
  private readonly maxDepth: number;
  private readonly maxStacks: number;
  private distinct = 0;
  private truncatedId = -1;
  readonly cuts: FoldCuts = { deepSamples: 0, deepest: 0, overflowSamples: 0, overflowWeight: 0 };

  constructor(opts: FoldOptions & FoldBounds = {}) {
    this.names = namesFor(opts);
    this.includeComm = opts.includeComm ?? true;
    this.byPeriod = (opts.weighting ?? 'period') === 'period';
    this.filter = opts.eventFilter || undefined;
    this.maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
    this.maxStacks = opts.maxStacks ?? Number.POSITIVE_INFINITY;
  }

  sample(s: PerfSample): void {
    if (this.filter !== undefined && s.event !== this.filter) return;
    let entry = this.events.get(s.event);
    if (entry === undefined) {
      entry = { key: copyString(s.event), table: new StackTable() };
      this.events.set(entry.key, entry);
    }
    const table = entry.table;
    const pname = this.names.processName(s) ?? s.comm.replace(/ /g, '_');
    const depth = s.frames.length + (s.droppedFrames ?? 0);
    let n: number;
    if (depth > this.maxDepth) {
      if (this.truncatedId < 0) this.truncatedId = this.names.intern(TRUNCATED_FRAME);
      n = this.stack.build(this.names, s, pname, this.includeComm, this.maxDepth, this.truncatedId);
      this.cuts.deepSamples++;
      if (depth > this.cuts.deepest) this.cuts.deepest = depth;
    } else n = this.stack.build(this.names, s, pname, this.includeComm);
    if (n <= 0) return;
    const w = this.byPeriod ? (s.period ?? 1) : 1;
    if (this.distinct < this.maxStacks) {
      const before = table.size;
      table.add(this.stack.ids, n, w);
      this.distinct += table.size - before;
    } else if (!table.addExisting(this.stack.ids, n, w)) {
      // Past the bound, a new stack is not kept: its samples go to the one `[truncated]` stack.
      if (this.truncatedId < 0) this.truncatedId = this.names.intern(TRUNCATED_FRAME);
      table.add(Int32Array.of(this.truncatedId), 1, w);
      this.cuts.overflowSamples++;
      this.cuts.overflowWeight += w;
    }
  }

  /** The events seen, in the order first seen. */
  eventNames(): string[] {
    return [...this.events.keys()];
  }

  /** One event's folded stacks (empty when the event was not seen). */
  stacks(event: string): FoldedStacks {
    return this.events.get(event)?.table.toMap(this.names.texts) ?? new Map();
  }

  /** Event → folded stacks, events in the order first seen. */
  byEvent(): Map<string, FoldedStacks> {
    const out = new Map<string, FoldedStacks>();
    for (const [event, { table }] of this.events) out.set(event, table.toMap(this.names.texts));
    return out;
  }
}

/** Builds one stack's ids, root first, in a buffer reused from sample to sample. */
class StackBuilder {
  ids = new Int32Array(256);

  /**
   * Fills `ids` with `pname;root;...;leaf` and returns its length (0: nothing left to count). With
   * `maxDepth`, only the leaf-most `maxDepth` frames, after `pname;[truncated]` (`cutId`).
   */
  build(names: FoldNames, s: PerfSample, pname: string, includeComm: boolean, maxDepth = Number.POSITIVE_INFINITY, cutId = -1): number {
    const frames = s.frames;
    const kept = Math.min(frames.length, maxDepth);
    if (this.ids.length < kept + 2) this.ids = new Int32Array(Math.max(kept + 2, this.ids.length * 2));
    const ids = this.ids;
    let n = 0;
    if (includeComm) ids[n++] = names.intern(pname);
    if (cutId >= 0) ids[n++] = cutId;
    const java = pname === 'java';
    for (let i = kept - 1; i >= 0; i--) {
      const id = names.segment(frames[i]!, java);
      if (id !== SKIP) ids[n++] = id;
    }
    return n;
  }
}

function namesFor(opts: FoldOptions): FoldNames {
  const all = opts.all ?? false;
  return new FoldNames(
    { kernel: all || (opts.kernel ?? false), jit: all || (opts.jit ?? false), addrs: opts.addrs ?? false },
    { pid: opts.pid ?? false, tid: opts.tid ?? false },
  );
}

/**
 * Folded stacks as text, `stack weight` per line, sorted as Perl's `sort { $a cmp $b }` sorts the
 * script's byte strings (for text decoded from UTF-8: by code point).
 */
export function formatFolded(stacks: Iterable<readonly [string, number | bigint]>): string {
  const entries = [...stacks];
  const compare = entries.some(([k]) => ASTRAL_OR_HIGH.test(k)) ? compareCodePoints : compareUnits;
  entries.sort((a, b) => compare(a[0], b[0]));
  let out = '';
  for (const [k, v] of entries) out += `${k} ${perlNumber(v)}\n`;
  return out;
}

const ASTRAL_OR_HIGH = /[\ud800-\uffff]/;

function compareUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code point order (= UTF-8 byte order): UTF-16 units put surrogates before U+E000..U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

const UV_MAX = (1n << 64n) - 1n;

/** A sum as Perl prints it: integers exactly up to 2^64-1 (Perl's IV/UV), beyond that a double as `%.15g`. */
export function perlNumber(v: number | bigint): string {
  if (typeof v === 'bigint' ? v <= UV_MAX && v >= -UV_MAX : Number.isInteger(v) && Math.abs(v) < 2 ** 64) {
    return typeof v === 'bigint' || Number.isSafeInteger(v) ? v.toString() : BigInt(v).toString();
  }
  const x = Number(v);
  const [mantissa, exp] = x.toPrecision(15).split('e');
  const m = mantissa!.includes('.') ? mantissa!.replace(/\.?0+$/, '') : mantissa!;
  if (exp === undefined) return m;
  const e = Number(exp);
  return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
