/**
 * The records of `perf script` text, as the parser (shared/parsers/perf-script/) yields them.
 * Times are integer nanoseconds as bigint: perf prints seconds since boot, and uptimes over ~104 days
 * pass 2^53 ns. Frames are leaf first, as perf prints them.
 */

/**
 * One frame of a stack. Its strings (and the PerfSample's) may be slices of the large text chunk the
 * parser decoded (V8 keeps the whole chunk alive while a slice of it lives): a consumer that keeps a
 * string beyond the sink call (a map key, a stored report field) should copy it first, e.g.
 * `(' ' + s).slice(1)`. Strings that are only compared or hashed during the call need no copy.
 */
export interface PerfFrame {
  /** The address as perf printed it, hex without `0x` (e.g. `ffffffff82256067`); absent when not printed. */
  address?: string;
  /**
   * Symbol without its `+0x..` offset; `[unknown]` when perf printed that; '' when perf printed no symbol
   * (`-F ip,dso`). Java/JIT names kept verbatim (`long Hot.loop(Hot$Op, int)`, `StubRoutines (1)`).
   */
  symbol: string;
  /** The offset perf printed after the symbol, e.g. `0x7` (absent when none). */
  offset?: string;
  /** The DSO between parentheses, verbatim (e.g. `[kernel.kallsyms]`, `/tmp/perf-1234.map`, `/x (deleted)`). */
  dso?: string;
  /** Set when perf marked the frame as inlined (`(inlined)` after the DSO). */
  inlined?: boolean;
  /** The source line perf printed under the frame (`-F +srcline`): `work.cpp:34`, `??:0`. */
  srcline?: string;
}

/** A sample line and the stack lines under it. Its strings may be slices of a large chunk: see PerfFrame. */
export interface PerfSample {
  kind: 'sample';
  /** 1-based line number of the header line. */
  line: number;
  /** Command name, possibly with spaces, digits, colons, brackets, or empty. */
  comm: string;
  /** Present when perf printed `pid/tid`; otherwise only `tid`. */
  pid?: number;
  tid: number;
  cpu?: number;
  /** Time in ns (absent when perf printed none). */
  timeNs?: bigint;
  /** The sample period (weight), when printed. */
  period?: number;
  /** Event name with modifiers, as printed: `cycles:ppp`, `task-clock`, `syscalls:sys_enter_bpf`. */
  event: string;
  /**
   * Everything after `event:` on the header line (tracepoint payloads, probe args, `-F addr`), trimmed;
   * '' if none. Without a call graph, the ip/sym/dso perf prints at its end is the frame, not payload.
   */
  payload: string;
  /** The stack, leaf first (the header-line ip/sym/dso when the stack is printed there). */
  frames: PerfFrame[];
  /** Frames toward the root left out of `frames` (PerfScriptOptions.maxFrames); absent when none. */
  droppedFrames?: number;
  /** Parsed payload for the tracepoints and probes we use. */
  tracepoint?: Tracepoint;
  /**
   * Set when no empty line closed the sample (perf prints one after every call graph): `'eof'` when
   * the input ended first (a cut-off last sample), `'next'` when the next record's line followed at
   * once (perf's one-line samples without call graphs, whose frame is the header line's ip/sym/dso).
   * Absent when an empty line closed it. stackcollapse-perf.pl only counts stacks an empty line closes.
   */
  unclosed?: 'eof' | 'next';
}

/** `PERF_RECORD_COMM/EXIT/FORK/MMAP/MMAP2` lines (`--show-task-events`, `--show-mmap-events`). */
export interface PerfTaskEvent {
  kind: 'task';
  line: number;
  record: 'COMM' | 'EXIT' | 'FORK' | 'MMAP' | 'MMAP2' | string;
  comm: string;
  pid?: number;
  tid: number;
  cpu?: number;
  timeNs?: bigint;
  /** Everything after `PERF_RECORD_X`, raw. */
  detail: string;
  /** COMM: the new comm and whether it was an exec (`PERF_RECORD_COMM exec: mapstress:6341/6341`). */
  newComm?: string;
  exec?: boolean;
  /** FORK/EXIT: `(child_pid:child_tid):(parent_pid:parent_tid)`. */
  child?: { pid: number; tid: number };
  parent?: { pid: number; tid: number };
  /**
   * COMM, MMAP, MMAP2: the `pid/tid` printed inside the record, which is what the record is about (COMM:
   * the renamed thread; MMAP/MMAP2: the mapping process, pid -1 for kernel maps). Synthesized records at
   * time 0 (`perf-exec 0 0.000000: PERF_RECORD_COMM: perf-exec:6341/6341`) carry it only here.
   */
  target?: { pid: number; tid: number };
  /**
   * MMAP/MMAP2: the mapped range and file. `prot` is MMAP2's `r-xp` (read, write, exec, shared/private)
   * or MMAP's `x`/`r` (exec/data); `buildId` is set for MMAP2 records written with `--buildid-mmap`.
   */
  mmap?: { start: bigint; length: bigint; pgoff: bigint; prot?: string; file: string; buildId?: string };
}

/** The `# ========` header block (`perf script --header`). */
export interface PerfHeader {
  capturedOn?: string;
  hostname?: string;
  osRelease?: string;
  perfVersion?: string;
  arch?: string;
  nrCpus?: string;
  cmdline?: string;
  /** `# event : name = cycles, ...` lines, raw after `event : `. */
  events: string[];
  /** Every `# key : value` line of the block, raw. */
  fields: Record<string, string>;
}

/** perf's own warnings in its output (lost events/chunks), and lines we could not parse. */
export interface PerfWarning {
  line: number;
  message: string;
  /** For perf's lost-events warnings: how many were lost. */
  lost?: number;
  /** True for perf's own warnings (parsePerfWarning); absent for lines the parser could not read. */
  fromPerf?: boolean;
}

export type Tracepoint =
  | { type: 'sched_switch'; prevComm: string; prevPid: number; prevPrio?: number; prevState: string; nextComm: string; nextPid: number; nextPrio?: number }
  /** `variant`: which of sched_wakeup, sched_wakeup_new, sched_waking (one wakeup may show as waking and wakeup). */
  | { type: 'sched_wakeup'; comm: string; pid: number; prio?: number; targetCpu?: number; variant?: 'wakeup' | 'wakeup_new' | 'waking' }
  | { type: 'sys_enter'; syscall: string; args: Record<string, string> }
  | { type: 'sys_exit'; syscall: string; ret: bigint }
  | { type: 'raw_sys_enter'; id: number; args: string[] }
  | { type: 'raw_sys_exit'; id: number; ret: bigint }
  /**
   * kprobe/kretprobe/uprobe/uretprobe. `name` is the event without its group and `__return` suffix
   * (`probe_mapstress:main_boxed__return` -> `main_boxed`), `group` the part before `:`; `ip` the probed
   * address and `caller` the return address (`(ip <- caller)`, return probes only), hex without `0x`.
   * String args are unquoted.
   */
  | { type: 'probe'; name: string; ret: boolean; args: Record<string, string>; group?: string; ip?: string; caller?: string }
  /** `ip` (as printed: `0x7f..` or a kernel symbol) and `errorCode` come from `exceptions:page_fault_*`. */
  | { type: 'page_fault'; addr: bigint; ip?: string; errorCode?: number };

/** What the parser reports to its consumer, in input order. */
export interface PerfScriptSink {
  sample?(s: PerfSample): void;
  task?(t: PerfTaskEvent): void;
  header?(h: PerfHeader): void;
  warning?(w: PerfWarning): void;
}
