/**
 * Payloads of the tracepoints and probes TraceLens uses, parsed from the text `perf script` prints after
 * `event:` on a sample's header line. Everything else stays raw on the sample (`undefined` here).
 *
 * Where the formats come from (the kernel's `print fmt`, which libtraceevent applies for perf):
 * - sched_switch / sched_wakeup{,_new} / sched_waking: include/trace/events/sched.h
 *   (https://github.com/torvalds/linux/blob/master/include/trace/events/sched.h). The old
 *   `comm:pid [prio] S ==> comm:pid [prio]` form is libtraceevent's sched plugin, which perf loaded when
 *   installed (https://github.com/torvalds/linux/blob/v5.9/tools/lib/traceevent/plugins/plugin_sched_switch.c).
 * - syscalls:sys_enter_X / sys_exit_X: kernel/trace/trace_syscalls.c (`"cmd: 0x%08lx, uattr: ..."`,
 *   `"0x%lx"`); raw_syscalls:*: include/trace/events/syscalls.h (`"NR %ld (%lx, ...)"`, `"NR %ld = %ld"`).
 * - kprobe/uprobe events of `perf probe`: kernel/trace/trace_kprobe.c and trace_uprobe.c
 *   (`"(%lx) arg=..."`, return probes `"(%lx <- %lx) arg=..."`).
 * - page faults: tools/perf/builtin-script.c prints the sample's data address (`-d`, `-F +addr`) before
 *   its ip (https://github.com/torvalds/linux/blob/master/tools/perf/builtin-script.c, print_sample_addr);
 *   exceptions:page_fault_*: arch/x86/include/asm/trace/exceptions.h.
 *
 * Pure and cheap (100-400 ns a call on this machine): one hash lookup or prefix test on the event name,
 * then anchored regexes without nested quantifiers, or a hand scan, on the payload; payload sizes are
 * capped so no line can make them quadratic. Malformed payloads give `undefined`, never an exception.
 */
import type { Tracepoint } from '../../model/perf.js';

type SchedWakeup = Extract<Tracepoint, { type: 'sched_wakeup' }>;
type Probe = Extract<Tracepoint, { type: 'probe' }>;

/** What the caller knows about the sample beyond its header line. */
export interface TracepointContext {
  /**
   * The sample's ip is not in `payload` (default false): it is on call-graph lines under the header line,
   * or the caller split the header line's trailing `ip sym+off (dso)` off as the sample's frame. Only
   * page-fault samples use it: then a lone address in the payload is the data address (`-d`); otherwise a
   * lone address is the sample's ip, and the sample carries no data address.
   */
  callchain?: boolean;
}

// ---- sched ---------------------------------------------------------------------------------------
// Today's form (kernel print fmt):
//   prev_comm=mapstress prev_pid=6341 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120
// Comms may hold spaces, '=', ':' and ' ==> ' (`prev_comm=k=v: x prev_pid=23233 ...`): the prev comm is the
// shortest text after which the fixed fields follow, the next comm the longest before ` next_pid=N next_prio=N`.
// Each quantifier backtracks over one comm only (linear in the payload).
const SWITCH =
  /^prev_comm=(.*?) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=(\S+) ==> next_comm=(.*) next_pid=(-?\d+) next_prio=(-?\d+)$/;
// Old form (libtraceevent sched plugin): `sleep:13638 [120] S ==> swapper/1:0 [120]`
const OLD_SWITCH_PREV = /^(.*):(-?\d+) \[(-?\d+)\] (\S+)$/;
const OLD_SWITCH_NEXT = /^(.*):(-?\d+) \[(-?\d+)\]$/;
// Today's wakeup form: `comm=khugepaged pid=38 prio=139 target_cpu=000`; 3.x-4.x kernels print
// `comm=%s pid=%d prio=%d success=%d target_cpu=%03d`.
const WAKEUP_TAIL = / pid=(-?\d+) prio=(-?\d+)(?: success=\d+)?(?: target_cpu=(\d+))?$/y;
// Old form (libtraceevent sched plugin): `sleep:13638 [120] success=1 CPU:001`, `bash:34059 [120] CPU:036`
const OLD_WAKEUP = /^(.*):(-?\d+) \[(-?\d+)\](?: success=\d+)?(?: CPU:(\d+))?$/;

// ---- syscalls ------------------------------------------------------------------------------------
// Args: `cmd: 0x00000002, uattr: 0x7ffd8f43fec0, size: 0x00000080`, scanned by hand (parseSysArgs): keys are C
// identifiers, a value ends at the next `, ` outside double quotes (kernels that print user strings append
// `"..."` to a value). `sys_enter_getpid` prints an empty payload.
// `0x3`, `0xfffffffffffffff7` (-EBADF as u64)
const SYS_EXIT_HEX = /^0x[0-9a-fA-F]{1,16}$/;
const HEX_0X = SYS_EXIT_HEX;
const DECIMAL = /^-?\d{1,20}$/;
// `NR 321 (2, 7faf3f095bd0, 20, 100000001, 100000001, 7)`
const RAW_ENTER = /^NR (-?\d+) \(([^)]*)\)$/;
// `NR 321 = -9`, `NR 9 = 140317214343168`
const RAW_EXIT = /^NR (-?\d+) = (-?\d+)$/;

// ---- probes --------------------------------------------------------------------------------------
// `(55947a001a50) cmd=0x5594a12ac1e0`, `(55947a001a50 <- 55947a003a47) arg1=0x0`,
// `(559479ffd130) path="./dir with space/my prog" argv=0x5594a12aaa50 flags=-1591030992`, `(4a1b20)`
const PROBE_HEAD = /^\(([0-9a-fA-F]+)(?: <- ([0-9a-fA-F]+))?\)(?: |$)/;
// Where the next `name=` of a probe arg list starts (tested sticky after a closing quote).
const PROBE_ARG_START = /[^\s="]+=/y;

// ---- page faults ---------------------------------------------------------------------------------
const FAULT_EVENTS = new Set(['page-faults', 'faults', 'major-faults', 'minor-faults']);
const HEX_TOKEN = /^[0-9a-fA-F]{1,16}$/;
// `address=0x7fc09020fe06 ip=0x7fc0901f77ad error_code=0x6`, `address=0x555d7887a1e0 ip=elf_load error_code=0x2`
const EXCEPTION_FAULT = /^address=0x([0-9a-fA-F]{1,16}) ip=(\S+) error_code=0x([0-9a-fA-F]+)$/;

/**
 * Payloads longer than this are not parsed (the longest real ones are probe string args, at most a path).
 * sched payloads are capped lower: their comms are at most 15 bytes, and the caps keep adversarial lines
 * from making the comm searches quadratic.
 */
const MAX_PAYLOAD = 65536;
const MAX_SCHED_PAYLOAD = 1024;

type Handler = (name: string, payload: string, ctx: TracepointContext | undefined) => Tracepoint | undefined;

const EXACT: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['sched:sched_switch', (_n, p) => parseSchedSwitch(p)],
  ['sched:sched_wakeup', (_n, p) => parseSchedWakeup(p, 'wakeup')],
  ['sched:sched_wakeup_new', (_n, p) => parseSchedWakeup(p, 'wakeup_new')],
  ['sched:sched_waking', (_n, p) => parseSchedWakeup(p, 'waking')],
  ['raw_syscalls:sys_enter', (_n, p) => parseRawEnter(p)],
  ['raw_syscalls:sys_exit', (_n, p) => parseRawExit(p)],
  ['exceptions:page_fault_user', (_n, p) => parseExceptionFault(p)],
  ['exceptions:page_fault_kernel', (_n, p) => parseExceptionFault(p)],
]);

/** A page-fault software event (`page-faults`, `faults`, `major-faults`, `minor-faults`), modifiers (`:u`) allowed. */
export function isPageFaultEvent(event: string): boolean {
  return isFaultName(event, event.indexOf(':'));
}

function isFaultName(event: string, colon: number): boolean {
  return FAULT_EVENTS.has(colon < 0 ? event : event.slice(0, colon));
}

/**
 * The parsed payload of `event` (the name as perf prints it, modifiers included), or `undefined` for events
 * we do not parse and for payloads that do not have the event's form. `payload` is the text after
 * `event:`; surrounding whitespace is ignored.
 */
export function parseTracepoint(event: string, payload: string, ctx?: TracepointContext): Tracepoint | undefined {
  try {
    return dispatch(event, payload.trim(), ctx);
  } catch {
    return undefined;
  }
}

function dispatch(event: string, payload: string, ctx: TracepointContext | undefined): Tracepoint | undefined {
  if (payload.length > MAX_PAYLOAD) return undefined;
  const exact = EXACT.get(event);
  if (exact) return exact(event, payload, ctx);
  if (event.startsWith('syscalls:sys_enter_')) return parseSysEnter(event.slice(19), payload);
  if (event.startsWith('syscalls:sys_exit_')) return parseSysExit(event.slice(18), payload);
  const colon = event.indexOf(':');
  if (isFaultName(event, colon)) return parsePageFault(payload, ctx);
  // kprobes and uprobes: `probe:f`, `probe_mapstress:main_boxed`, `kprobes:f__return`, `sdt_x:y`, any group
  // a custom `perf probe -a 'grp:ev=f'` made. They are told apart by their payload, `(ip[ <- caller])`.
  if (colon > 0 && payload.charCodeAt(0) === 0x28 /* ( */) return parseProbe(event, colon, payload);
  return undefined;
}

/** `prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=b next_pid=0 next_prio=120` and the old form. */
function parseSchedSwitch(payload: string): Tracepoint | undefined {
  if (payload.length > MAX_SCHED_PAYLOAD) return undefined;
  if (payload.startsWith('prev_comm=')) {
    const m = SWITCH.exec(payload);
    return m ? schedSwitch(m, 1, m, 5) : undefined;
  }
  // Old form: a comm may itself hold ' ==> ', so try each arrow until both sides have their shape.
  for (let arrow = payload.indexOf(' ==> '); arrow >= 0; arrow = payload.indexOf(' ==> ', arrow + 1)) {
    const prev = OLD_SWITCH_PREV.exec(payload.slice(0, arrow));
    if (!prev) continue;
    const next = OLD_SWITCH_NEXT.exec(payload.slice(arrow + 5));
    if (!next) continue;
    return schedSwitch(prev, 1, next, 1);
  }
  return undefined;
}

/** A sched_switch from the groups comm, pid, prio, state of `prev` from group `p`, comm, pid, prio of `next` from `n`. */
function schedSwitch(prev: RegExpExecArray, p: number, next: RegExpExecArray, n: number): Tracepoint {
  return {
    type: 'sched_switch',
    prevComm: prev[p]!,
    prevPid: Number(prev[p + 1]),
    prevPrio: Number(prev[p + 2]),
    prevState: prev[p + 3]!,
    nextComm: next[n]!,
    nextPid: Number(next[n + 1]),
    nextPrio: Number(next[n + 2]),
  };
}

/** `comm=khugepaged pid=38 prio=139 target_cpu=000` and the old `comm:pid [prio] success=1 CPU:000` form. */
function parseSchedWakeup(payload: string, variant?: SchedWakeup['variant']): SchedWakeup | undefined {
  if (payload.length > MAX_SCHED_PAYLOAD) return undefined;
  let comm: string;
  let pid: string;
  let prio: string;
  let cpu: string | undefined;
  if (payload.startsWith('comm=')) {
    const at = payload.lastIndexOf(' pid=');
    if (at < 5) return undefined;
    WAKEUP_TAIL.lastIndex = at;
    const m = WAKEUP_TAIL.exec(payload);
    if (!m) return undefined;
    [comm, pid, prio, cpu] = [payload.slice(5, at), m[1]!, m[2]!, m[3]];
  } else {
    const m = OLD_WAKEUP.exec(payload);
    if (!m) return undefined;
    [comm, pid, prio, cpu] = [m[1]!, m[2]!, m[3]!, m[4]];
  }
  const tp: SchedWakeup = { type: 'sched_wakeup', comm, pid: Number(pid), prio: Number(prio) };
  if (cpu !== undefined) tp.targetCpu = Number(cpu);
  if (variant) tp.variant = variant;
  return tp;
}

/** `syscalls:sys_enter_<syscall>`: `cmd: 0x00000002, uattr: 0x7ffd..., size: 0x00000080` -> args by name, raw. */
function parseSysEnter(syscall: string, payload: string): Tracepoint | undefined {
  if (syscall === '') return undefined;
  const args = payload === '' ? {} : parseSysArgs(payload);
  return args ? { type: 'sys_enter', syscall, args } : undefined;
}

// The keys of the last args parsed, by position: consecutive samples of a syscall reuse the same key
// strings, which V8 has already internalized as property names (a fresh slice costs a hash lookup).
// A cache only: results do not depend on it.
const lastSysKeys: string[] = [];

function parseSysArgs(p: string): Record<string, string> | undefined {
  const args: Record<string, string> = {};
  const n = p.length;
  let i = 0;
  for (let a = 0; ; a++) {
    const colon = p.indexOf(': ', i);
    let key = lastSysKeys[a];
    if (key === undefined || key.length !== colon - i || !p.startsWith(key, i)) {
      if (colon < 0 || !isIdentifier(p, i, colon)) return undefined;
      key = p.slice(i, colon);
      if (a < 8) lastSysKeys[a] = key;
    }
    let inString = false;
    let end = -1;
    for (let j = colon + 2; j < n; j++) {
      const c = p.charCodeAt(j);
      if (c === 0x22 /* " */) inString = !inString;
      else if (c === 0x2c /* , */ && !inString && p.charCodeAt(j + 1) === 0x20) {
        end = j;
        break;
      }
    }
    if (end < 0) {
      args[key] = p.slice(colon + 2);
      return args;
    }
    args[key] = p.slice(colon + 2, end);
    i = end + 2;
  }
}

/** `s[from, to)` is a C identifier. */
function isIdentifier(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k) | 0x20; // lower-cases letters; '_' (0x5f) becomes 0x7f
    const letter = (c >= 0x61 && c <= 0x7a) || c === 0x7f;
    const digit = s.charCodeAt(k) >= 0x30 && s.charCodeAt(k) <= 0x39;
    if (!letter && !(digit && k > from)) return false;
  }
  return true;
}

/** `syscalls:sys_exit_<syscall>`: `0x0`, `0xfffffffffffffff2` -> ret as a signed 64-bit bigint (-14n). */
function parseSysExit(syscall: string, payload: string): Tracepoint | undefined {
  if (syscall === '') return undefined;
  const ret = parseSyscallReturn(payload);
  return ret === undefined ? undefined : { type: 'sys_exit', syscall, ret };
}

/** A syscall return value as the kernel prints it: `0x%lx` (two's complement 64-bit) or decimal. */
export function parseSyscallReturn(text: string): bigint | undefined {
  if (text === '0x0') return 0n; // by far the most common
  if (SYS_EXIT_HEX.test(text) || DECIMAL.test(text)) return BigInt.asIntN(64, BigInt(text));
  return undefined;
}

/** `NR 321 (2, 7ffd8f43fec0, 80, 0, 0, 0)` -> id 321, args as printed (hex without `0x`). */
function parseRawEnter(payload: string): Tracepoint | undefined {
  const m = RAW_ENTER.exec(payload);
  if (!m) return undefined;
  return { type: 'raw_sys_enter', id: Number(m[1]), args: m[2] === '' ? [] : m[2]!.split(', ') };
}

/** `NR 321 = 0`, `NR 321 = -9` -> id, ret (decimal, signed). */
function parseRawExit(payload: string): Tracepoint | undefined {
  const m = RAW_EXIT.exec(payload);
  if (!m) return undefined;
  return { type: 'raw_sys_exit', id: Number(m[1]), ret: BigInt.asIntN(64, BigInt(m[2]!)) };
}

/**
 * `probe:do_sys_open: (ffffffffa807b290) filename_string="/etc/ld.so.cache"`,
 * `probe_bash:execute_command__return: (55947a001a50 <- 55947a003a47) arg1=0x0`.
 */
function parseProbe(event: string, colon: number, payload: string): Tracepoint | undefined {
  const head = PROBE_HEAD.exec(payload);
  if (!head) return undefined;
  const args = parseProbeArgs(payload.slice(head[0].length));
  if (!args) return undefined;
  let name = event.slice(colon + 1);
  const suffix = name.endsWith('__return');
  if (suffix) name = name.slice(0, -8);
  const tp: Probe = {
    type: 'probe',
    name,
    ret: suffix || head[2] !== undefined,
    args,
    group: event.slice(0, colon),
    ip: head[1]!,
  };
  if (head[2] !== undefined) tp.caller = head[2];
  return tp;
}

/**
 * `cmd=0x5594a12ac1e0 flags=-1591030992 path="./dir with space/my prog"` -> values as printed, strings
 * without their quotes. A string ends at a `"` followed by the end or by ` name=` (strings are printed
 * unescaped, so a value holding `" x=` would be cut there). Undefined when the text is not a list of
 * `name=value`.
 */
export function parseProbeArgs(text: string): Record<string, string> | undefined {
  const args: Record<string, string> = {};
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) === 0x20) {
      i++;
      continue;
    }
    const eq = text.indexOf('=', i);
    if (eq <= i) return undefined;
    const key = text.slice(i, eq);
    if (key.includes(' ')) return undefined;
    let j = eq + 1;
    if (text.charCodeAt(j) === 0x22 /* " */) {
      let close = text.indexOf('"', j + 1);
      while (close >= 0 && close < n - 1) {
        if (text.charCodeAt(close + 1) === 0x20) {
          PROBE_ARG_START.lastIndex = close + 2;
          if (PROBE_ARG_START.test(text)) break;
        }
        close = text.indexOf('"', close + 1);
      }
      if (close < 0) return undefined;
      args[key] = text.slice(j + 1, close);
      i = close + 1;
    } else {
      const sp = text.indexOf(' ', j);
      j = sp < 0 ? n : sp;
      args[key] = text.slice(eq + 1, j);
      i = j;
    }
  }
  return args;
}

/**
 * `page-faults`/`faults`/`minor-faults`/`major-faults` samples recorded with `-d`. perf prints the data
 * address only when asked (`perf script -F +addr`), before the ip:
 *   `563274a141e0 __progname+0x0 (/usr/bin/true) ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])`
 *   `7ffe3e45a6b9 [unknown] ([stack]) ffffffff81bb8018 _copy_to_user+0x28 ([kernel.kallsyms])`
 *   `55e494cd01e0 __progname+0x0 (/usr/bin/true)` (with a call graph below: no ip on the header line)
 *   `556120d521e0` (`-F comm,tid,time,event,addr`)
 * The default output prints only the ip (`ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])`), or
 * nothing with a call graph. So: two address groups -> the first is the data address; one group -> the
 * data address only when the ip is known to be elsewhere (`ctx.callchain`), else it is the ip.
 */
function parsePageFault(payload: string, ctx: TracepointContext | undefined): Tracepoint | undefined {
  if (payload === '') return undefined;
  let first: string | undefined;
  let groups = 0;
  let inDso = false;
  for (const tok of payload.split(/\s+/)) {
    if (inDso) {
      if (tok.endsWith(')')) inDso = false;
      continue;
    }
    if (tok.charCodeAt(0) === 0x28 /* ( */) {
      inDso = !tok.endsWith(')');
      continue;
    }
    if (HEX_TOKEN.test(tok)) {
      groups++;
      first ??= tok;
      if (groups > 1) break;
    }
  }
  if (first === undefined || (groups < 2 && !ctx?.callchain)) return undefined;
  return { type: 'page_fault', addr: BigInt(`0x${first}`) };
}

/** `address=0x7fc09020fe06 ip=0x7fc0901f77ad error_code=0x6` (exceptions:page_fault_user/kernel). */
function parseExceptionFault(payload: string): Tracepoint | undefined {
  const m = EXCEPTION_FAULT.exec(payload);
  if (!m) return undefined;
  return { type: 'page_fault', addr: BigInt(`0x${m[1]}`), ip: m[2]!, errorCode: Number.parseInt(m[3]!, 16) };
}

/** A syscall or probe argument as perf prints it (`0x00000002`, `-1591030992`, `7ffd` with `hex`) as a bigint. */
export function parseArgInt(text: string, hex = false): bigint | undefined {
  const t = text.trim();
  if (HEX_0X.test(t)) return BigInt(t);
  if (hex && HEX_TOKEN.test(t)) return BigInt(`0x${t}`);
  return DECIMAL.test(t) ? BigInt(t) : undefined;
}
