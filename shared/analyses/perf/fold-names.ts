/**
 * How FlameGraph's stackcollapse-perf.pl (brendangregg/FlameGraph) names a frame and a process, as
 * rules over the parser's records. The script reads text lines with regexes; we read PerfSample and
 * PerfFrame, so each rule quotes the lines it acts on and the regex it reproduces.
 *
 * Names are interned: a folded stack is a list of small integers until it is printed. A frame is
 * named through a cache per symbol that also remembers the symbol's module, so a frame seen before
 * costs one hash lookup, one string compare and no allocation. Frames the fast path cannot vouch for
 * (no address, a module with spaces or parentheses, `(inlined)`) are rebuilt as the line perf printed
 * and read with the script's own regex, so odd lines fold exactly as the script folds them.
 */
import type { PerfFrame } from '../../model/perf.js';

/** What names a process on a header line (a sample's or a task record's). */
export interface ProcessIds {
  comm: string;
  pid?: number;
  tid: number;
}

// A stack line: pc, the function (with its `+0x..` offset), the module in parentheses.
//   `ffffffff8103ce3b native_safe_halt+0x7 ([kernel.kallsyms])`
//   `7f722d142778 Ljava/io/PrintStream;::print (/tmp/perf-19982.map)`
const STACK_LINE = /^\s*(\w+)\s*(.+) \((\S*)\)/;
// Linux 4.8+ prints offsets: `cpu_startup_entry+0x800047c022ec`; the script strips them.
const OFFSET_SUFFIX = /\+0x[\da-f]+$/;
// A Go method keeps its parentheses: `net/http.(*Client).Do`.
const GO_METHOD = /\.\(.*\)\./;
// Anything else loses everything from the first `(` (arguments), but `(anonymous namespace)` stays.
const ARGUMENTS = /\((?!anonymous namespace\)).*/;
// `13a80b608e0a RegExp:[&<>\"\'] (/tmp/perf-7539.map)`: quotes are dropped.
const QUOTES = /["']/g;
// Kernel modules: `[kernel.kallsyms]`, `[nf_conntrack_ipv4]`, `/lib/modules/4.3.0-rc1-virtual/build/vmlinux`.
const KERNEL_MODULE = /(^\[|vmlinux$)/;
// JIT symbol maps (perf-map-agent, node --perf-basic-prof): `/tmp/perf-19982.map`.
const JIT_MAP = /\/tmp\/perf-\d+\.map/;
// A module the fast path may take as the script would: no whitespace, no parentheses.
const PLAIN_MODULE = /^[^\s()]*$/;
// A header line's process part: `java 25607 ...`, `V8 WorkerThread 24636/25607 [000] ...`.
const HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;

/** Which of the script's frame annotations are on (`--kernel`, `--jit`, `--all`) and `--addrs`. */
export interface FrameRules {
  /** `_[k]` after functions of kernel modules. */
  kernel: boolean;
  /** `_[j]` after functions from a `/tmp/perf-PID.map`. */
  jit: boolean;
  /** `[module <pc>]` instead of `[module]` for `[unknown]` functions. */
  addrs: boolean;
}

/** The process part of a folded stack: `comm`, `comm-pid` or `comm-pid/tid`. */
export interface ProcessRules {
  /** `--pid`: `comm-PID` (`?` for the pid when perf printed only the tid). */
  pid: boolean;
  /** `--tid`: `comm-PID/TID`; wins over `pid`. */
  tid: boolean;
}

interface ModuleInfo {
  /** The module, copied (the parser's string may be a slice of a large chunk). */
  key: string;
  /** The fast path applies: no whitespace or parentheses in the module. */
  plain: boolean;
  kernel: boolean;
  jit: boolean;
  /** The module's file name, or `unknown` when the module is `[unknown]` too. */
  base: string;
  /** `[base]`, tidied: the name of an `[unknown]` function. */
  unknownName: string;
}

/** One symbol's names, module-independent parts precomputed; `id*` are the interned results. */
interface SymbolInfo {
  /** Skipped, as the script skips: `(` first (process names), or nothing left after the offset. */
  skip: boolean;
  /** The first (outermost) name of an `a->b->c` chain is `[unknown]`: named after the module. */
  unknown: boolean;
  /** A later name of the chain is `[unknown]`: the slow path. */
  complex: boolean;
  /** The first name, tidied (no annotation). */
  first: string;
  /** `;b_[i];c_[i]`: the inlined rest of the chain, or ''. */
  rest: string;
  id: number;
  idK: number;
  idJ: number;
  /** The module this symbol came with last (nearly always the only one). */
  mod: ModuleInfo | undefined;
}

/** No name: the script skips the frame. */
export const SKIP = -1;
const UNSET = -2;

/** Names frames and processes as stackcollapse-perf.pl does; caches grow with distinct symbols and modules. */
export class FoldNames {
  /** Interned names: stack parts are indexes into this. */
  readonly texts: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly symbols = new Map<string, SymbolInfo>();
  private readonly javaSymbols = new Map<string, SymbolInfo>();
  private readonly modules = new Map<string, ModuleInfo>();
  private readonly comms = new Map<string, { key: string; name: string | null }>();

  constructor(
    private readonly frames: FrameRules,
    private readonly process: ProcessRules,
  ) {}

  /** The interned id of a name (a stack part). */
  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      const copy = copyString(text);
      this.texts.push(copy);
      this.ids.set(copy, id);
    }
    return id;
  }

  /**
   * The id of the frame's part of a folded stack (`a->b` chains give `a;b_[i]`), or SKIP when the
   * script skips the frame. `java` is the script's `$pname eq "java"`: Java signatures are condensed.
   */
  segment(f: PerfFrame, java: boolean): number {
    const { address, dso, symbol } = f;
    if (address === undefined || dso === undefined || f.inlined || symbol.length === 0) return this.slowSegment(f, java);
    const cache = java ? this.javaSymbols : this.symbols;
    let info = cache.get(symbol);
    if (info === undefined) {
      info = symbolInfo(symbol, java);
      cache.set(copyString(symbol), info);
    }
    // The symbol's module of last time (nearly always its only one): a compare instead of a hash.
    let mod = info.mod;
    if (mod === undefined || mod.key !== dso) info.mod = mod = this.module(dso);
    if (!mod.plain) return this.slowSegment(f, java);
    if (info.skip) return SKIP;
    if (info.complex) return this.slowSegment(f, java);
    if (info.unknown) {
      const name = this.frames.addrs ? tidy(`[${mod.base} <${address}>]`, java) : mod.unknownName;
      return this.intern(this.annotate(name, mod) + info.rest);
    }
    if (this.frames.kernel && mod.kernel) {
      return info.idK !== UNSET ? info.idK : (info.idK = this.intern(info.first + '_[k]' + info.rest));
    }
    if (this.frames.jit && mod.jit && !info.first.includes('_[j]')) {
      return info.idJ !== UNSET ? info.idJ : (info.idJ = this.intern(info.first + '_[j]' + info.rest));
    }
    return info.id !== UNSET ? info.id : (info.id = this.intern(info.first + info.rest));
  }

  /**
   * The script's process name for a sample: `comm` with spaces as `_`, then `-PID` or `-PID/TID`;
   * undefined when the script cannot read the header line (an empty comm, or one that starts with
   * a space) or when the name is `0`, which Perl takes for false.
   */
  processName(s: ProcessIds): string | undefined {
    let entry = this.comms.get(s.comm);
    if (entry === undefined) {
      entry = { key: copyString(s.comm), name: commName(s.comm) };
      this.comms.set(entry.key, entry);
    }
    let name = entry.name;
    let pid: number | string | undefined = s.pid;
    let tid: number | string = s.tid;
    // No pid/tid printed (`-F comm,time,event`, tid -1): the script needs one after the comm. (With a
    // period printed, it takes `comm  time:` for the comm and the period for the tid; not reproduced.)
    if (tid < 0) return undefined;
    if (name === null) {
      // A comm the script's header regex splits elsewhere (`foo 12 bar`, a trailing space): read it
      // the way the script reads the line.
      const m = HEADER.exec(headerPrefix(s));
      if (!m) return undefined;
      name = m[1]!.replace(/ /g, '_');
      pid = m[2]!;
      tid = m[3] ?? '0';
    }
    // `if (not $tid) { $tid = $pid; $pid = "?" }`: a tid of 0 counts as missing (`swapper 0/0`).
    if (pid === undefined || tid === 0 || tid === '0') {
      tid = pid ?? tid;
      pid = '?';
    }
    const pname = this.process.tid ? `${name}-${pid}/${tid}` : this.process.pid ? `${name}-${pid}` : name;
    return pname === '0' || pname === '' ? undefined : pname;
  }

  private module(dso: string): ModuleInfo {
    let info = this.modules.get(dso);
    if (info === undefined) {
      info = moduleInfo(dso);
      this.modules.set(info.key, info);
    }
    return info;
  }

  private annotate(name: string, mod: ModuleInfo): string {
    if (this.frames.kernel && mod.kernel) return name + '_[k]';
    if (this.frames.jit && mod.jit && !name.includes('_[j]')) return name + '_[j]';
    return name;
  }

  /** Rebuilds the line perf printed for the frame and reads it with the script's regex. */
  private slowSegment(f: PerfFrame, java: boolean): number {
    // With `-F +srcline`, perf prints an inlined frame as `addr sym+off` (no module: the script
    // drops it) and `(inlined)` after the srcline under it, which the script reads as a frame:
    //   `\t            1193 inl_outer+0x23` / `  inl.c:4 (inlined)`
    const line =
      f.inlined && f.srcline !== undefined
        ? `  ${f.srcline} (inlined)`
        : `\t${f.address ?? ''} ${f.symbol}${f.offset !== undefined ? '+' + f.offset : ''}` +
          `${f.dso !== undefined ? ` (${f.dso})` : ''}${f.inlined ? ' (inlined)' : ''}`;
    const m = STACK_LINE.exec(line);
    if (!m) return SKIP; // "Unrecognized line": the script drops it
    const rawfunc = m[2]!.replace(OFFSET_SUFFIX, '');
    if (rawfunc.startsWith('(')) return SKIP;
    const pieces = splitInline(rawfunc);
    if (pieces.length === 0) return SKIP;
    const mod = moduleInfo(m[3]!);
    let out = '';
    for (let i = 0; i < pieces.length; i++) {
      let func = pieces[i]!;
      if (func === '[unknown]') func = this.frames.addrs ? `[${mod.base} <${m[1]}>]` : `[${mod.base}]`;
      func = tidy(func, java);
      if (i > 0) out += ';' + (func.includes('_[i]') ? func : func + '_[i]');
      else out = this.annotate(func, mod);
    }
    return this.intern(out);
  }
}

/** `comm` with spaces as `_` when the script's header regex reads it whole; null when it does not. */
function commName(comm: string): string | null {
  // `^(\S.+?)\s+(\d+)`: lazy, so a comm with ` 12` inside, or ending in a space, is cut short there.
  if (comm.length < 2 || /^\s|\s\d|\s$/.test(comm)) return null;
  return copyString(comm.replace(/ /g, '_'));
}

/** The start of the header line as perf prints it (`%s %5d/%-5d ` or `%s %7d `). */
function headerPrefix(s: ProcessIds): string {
  const ids = s.pid !== undefined ? `${String(s.pid).padStart(5)}/${String(s.tid).padEnd(5)}` : String(s.tid).padStart(7);
  return `${s.comm} ${ids} `;
}

function moduleInfo(mod: string): ModuleInfo {
  // `$func = $mod; $func =~ s/.*\///;` for `[unknown]` functions; `[unknown]` in `[unknown]` is `unknown`.
  const base = mod === '[unknown]' ? 'unknown' : mod.replace(/.*\//, '');
  return {
    key: copyString(mod),
    plain: PLAIN_MODULE.test(mod),
    kernel: KERNEL_MODULE.test(mod) && !mod.includes('unknown'),
    jit: JIT_MAP.test(mod),
    base: copyString(base),
    unknownName: copyString(tidy(`[${base}]`, false)),
  };
}

function symbolInfo(symbol: string, java: boolean): SymbolInfo {
  const info: SymbolInfo = {
    skip: false,
    unknown: false,
    complex: false,
    first: '',
    rest: '',
    id: UNSET,
    idK: UNSET,
    idJ: UNSET,
    mod: undefined,
  };
  if (symbol.startsWith('(')) return { ...info, skip: true }; // `next if $rawfunc =~ /^\(/`
  const pieces = splitInline(symbol);
  if (pieces.length === 0) return { ...info, skip: true };
  info.unknown = pieces[0] === '[unknown]';
  if (!info.unknown) info.first = copyString(tidy(pieces[0]!, java));
  let rest = '';
  for (let i = 1; i < pieces.length; i++) {
    if (pieces[i] === '[unknown]') info.complex = true;
    const func = tidy(pieces[i]!, java);
    rest += ';' + (func.includes('_[i]') ? func : func + '_[i]');
  }
  info.rest = copyString(rest);
  return info;
}

/**
 * perf-map-agent's inlined Java frames, `a->b->c` (outermost first): Perl's `split /->/`, which
 * drops trailing empty fields.
 */
function splitInline(rawfunc: string): string[] {
  if (!rawfunc.includes('->')) return rawfunc === '' ? [] : [rawfunc];
  const pieces = rawfunc.split('->');
  while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

/**
 * The script's `$tidy_generic` (`;` → `:`, arguments dropped unless a Go method, quotes dropped) and,
 * for the process `java`, `$tidy_java` (`Lorg/mozilla/...;.call(...)` → `org/mozilla/...:.call`).
 */
export function tidy(func: string, java: boolean): string {
  if (func.includes(';')) func = func.replace(/;/g, ':');
  if (func.includes('(') && !GO_METHOD.test(func)) func = func.replace(ARGUMENTS, '');
  if (func.includes('"') || func.includes("'")) func = func.replace(QUOTES, '');
  if (java && func.startsWith('L') && func.includes('/')) func = func.slice(1);
  return func;
}

/**
 * A copy that shares no memory with `s`: strings from the parser may be slices of a large chunk, and
 * a slice kept in a map would keep the whole chunk alive. (`' ' + s` is flattened into a new string
 * by `slice`, which then views that new string.)
 */
export function copyString(s: string): string {
  return (' ' + s).slice(1);
}
