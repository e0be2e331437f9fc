/**
 * The records of `perf script` text, as the parser (shared/parsers/perf-script/) yields them.
 * Times are integer nanoseconds as bigint: perf prints seconds since boot, and uptimes over ~104 days
 * pass 2^53 ns. Frames are leaf first, as perf prints them.
 */

export interface PerfFrame {
  /** The address as perf printed it, hex without `0x` (e.g. `ffffffff82256067`); absent when not printed. */
  address?: string;
  /** Symbol without its `+0x..` offset; `[unknown]` when perf printed that. Java/JIT names kept verbatim. */
  symbol: string;
  /** The offset perf printed after the symbol, e.g. `0x7` (absent when none). */
  offset?: string;
  /** The DSO between parentheses, verbatim (e.g. `[kernel.kallsyms]`, `/tmp/perf-1234.map`, `/x (deleted)`). */
  dso?: string;
  /** Set when perf marked the frame as inlined (`(inlined)` after the DSO). */
  inlined?: boolean;
}

/** A sample line and the stack lines under it. */
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
  /** Everything after `event:` on the header line (tracepoint payloads, probe args), trimmed; '' if none. */
  payload: string;
  /** The stack, leaf first (the header-line ip/sym/dso when the stack is printed there). */
  frames: PerfFrame[];
  /** Parsed payload for the tracepoints and probes we use. */
  tracepoint?: Tracepoint;
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
  /** MMAP/MMAP2: the mapped range and file. */
  mmap?: { start: bigint; length: bigint; pgoff: bigint; prot?: string; file: string };
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
}

export type Tracepoint =
  | { type: 'sched_switch'; prevComm: string; prevPid: number; prevPrio?: number; prevState: string; nextComm: string; nextPid: number; nextPrio?: number }
  | { type: 'sched_wakeup'; comm: string; pid: number; prio?: number; targetCpu?: number }
  | { type: 'sys_enter'; syscall: string; args: Record<string, string> }
  | { type: 'sys_exit'; syscall: string; ret: bigint }
  | { type: 'raw_sys_enter'; id: number; args: string[] }
  | { type: 'raw_sys_exit'; id: number; ret: bigint }
  | { type: 'probe'; name: string; ret: boolean; args: Record<string, string> }
  | { type: 'page_fault'; addr: bigint };

/** What the parser reports to its consumer, in input order. */
export interface PerfScriptSink {
  sample?(s: PerfSample): void;
  task?(t: PerfTaskEvent): void;
  header?(h: PerfHeader): void;
  warning?(w: PerfWarning): void;
}
