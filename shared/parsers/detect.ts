/**
 * Kind detection (SPEC §1): which input an archive entry is, from the first bytes of its decoded
 * content. Content decides; names only break ties. Each rule answers like inferno's
 * `is_applicable`: mine (true), not mine (false), or need more bytes (undefined).
 *
 * Formats: perf script, https://man7.org/linux/man-pages/man1/perf-script.1.html;
 * profile.proto, https://github.com/google/pprof/blob/main/proto/profile.proto;
 * compiler diagnostics, https://go.dev/doc/gc-guide#Escape_analysis and `go tool compile -json`;
 * gctrace, https://pkg.go.dev/runtime#hdr-Environment_Variables; perf sched,
 * https://man7.org/linux/man-pages/man1/perf-sched.1.html; folded stacks, FlameGraph's stackcollapse.
 */
import type { InputKind } from '../model/report.js';
import { isPprof, type Verdict } from './detect-pprof.js';

/** How many decoded bytes detection wants; with fewer (and more to come) it may ask for more. */
export const DETECT_HEAD_BYTES = 64 * 1024;

export interface DetectOptions {
  /** Entry name (decoded: without a `.gz` of its own). Only a tie-breaker. */
  name: string;
  /** True when `head` is the whole content. */
  eof: boolean;
}

/**
 * The kind of an entry from its first decoded bytes (up to DETECT_HEAD_BYTES), or undefined when
 * more bytes are needed (only when !eof and head is shorter than that).
 */
export function detectKind(head: Uint8Array, opts: DetectOptions): InputKind | undefined {
  const short = !opts.eof && head.length < DETECT_HEAD_BYTES;
  if (head.length === 0) return short ? undefined : 'unknown';

  const pprof = isPprof(head, opts.eof);
  if (pprof) return 'pprof';

  const text = decodeText(head, opts.eof);
  if (text === undefined) return pprof === undefined && short ? undefined : 'unknown';
  const lines = text.split('\n');
  if (!opts.eof) lines.pop(); // the last line may be cut
  const ctx: TextHead = { text, lines: lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), short, ...opts };

  let needMore = pprof === undefined;
  for (const [kind, rule] of TEXT_RULES) {
    const v = rule(ctx);
    if (v === true) return kind;
    if (v === undefined) needMore = true;
  }
  return needMore && short ? undefined : 'unknown';
}

interface TextHead extends DetectOptions {
  text: string;
  /** Complete lines, without line endings. */
  lines: string[];
  /** More content may follow and the head is shorter than DETECT_HEAD_BYTES. */
  short: boolean;
}

/** Undefined for binary or invalid UTF-8 (a multi-byte character cut at the end of a head is fine). */
function decodeText(head: Uint8Array, eof: boolean): string | undefined {
  if (head.includes(0)) return undefined;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !eof });
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

/** Not mine once the head is complete or full, else need more. */
function undecided(ctx: TextHead): Verdict {
  return ctx.short ? undefined : false;
}

// ---------------------------------------------------------------------------------------------
// perf script

// Header block (`perf script --header`):
//   # ========
//   # captured on    : Thu Aug 17 14:14:43 2017
const PERF_HEADER_START = /^# ========\s*$/;
const PERF_HEADER_LINE = /^# (?:captured on|hostname|os release|perf version|arch|nrcpus|cmdline|event)\b/;

// Sample header lines, one per variant (inferno quotes the same ones above `on_event_line`):
//   mapstress  6341   528.254236:     250000             task-clock:
//   mapstress  6341 [000]   528.254532:     sched:sched_wakeup: comm=khugepaged pid=38 prio=139 target_cpu=000
//   java 12688 [002] 6544038.708352: 10309278 cpu-clock:
//   iperf 27409/28744 [000] 441995.133575: cpu-clock:
//   V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:
//   emulator  4152 75695.008865:          1 cycles:u:
//   java 19983 cycles:
//     swapper     0 [000]  5014.312345:   1 cycles:ppp:     (leading spaces: right-aligned comm)
const COMM = String.raw`(?<comm>\S.*?)`;
const PID_TID = String.raw`(?<pid>-?\d+)(?:\/(?<tid>-?\d+))?`;
const CPU = String.raw`(?:\[(?<cpu>\d+)\]\s+)?`;
const TIME = String.raw`(?:(?<time>\d+\.\d+):\s+)?`;
const PERIOD = String.raw`(?:(?<period>\d+)\s+)?`;
const EVENT = String.raw`(?<event>[A-Za-z_][\w.\-]*(?::[\w.\-]+)*(?:\/[^/\s]*\/\w*)?)`;
const PERF_EVENT = new RegExp(String.raw`^\s*${COMM}\s+${PID_TID}\s+${CPU}${TIME}${PERIOD}${EVENT}:(?:\s+(?<rest>.*))?$`);
// Task events (`--show-task-events`, `--show-mmap-events`):
//   perf-exec     0     0.000000: PERF_RECORD_COMM: perf-exec:6341/6341
//   mapstress  6341   528.255407: PERF_RECORD_FORK(6341:6343):(6341:6341)
const PERF_RECORD = new RegExp(String.raw`^\s*${COMM}\s+${PID_TID}\s+${CPU}${TIME}PERF_RECORD_[A-Z_]+`);
// Stack frames: indented address and symbol, the dso in parentheses unless `-F` left it out;
// unindented (then always with the dso) in some old perf versions:
//   	ffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])
//   	           395dd runtime.schedinit+0x1d (/go/src/mapstress/mapstress)
//   	           153e0 update_active.constprop.0
//   ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])
const PERF_FRAME = /^(?:\s+[0-9a-fA-F]+\s+\S.*|[0-9a-fA-F]+\s+\S.*\(.*\)\s*)$/;
/** Lines before the first event that are tolerated (perf's warnings when stderr went to the file too). */
const PERF_PREAMBLE_LINES = 20;

/**
 * Mine on a header block, a PERF_RECORD_ line, a sample header followed by a stack frame, or two
 * timestamped sample headers (tracepoints with payloads, samples without call graphs). Not mine
 * when the first PERF_PREAMBLE_LINES lines that are not comments hold no sample header, e.g. after
 *   Warning:
 *   Processed 1131 events and lost 3 chunks!
 */
function isPerfScript(ctx: TextHead): Verdict {
  const { lines } = ctx;
  let timed = 0;
  let events = 0;
  let stray = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (PERF_HEADER_START.test(line) && lines.slice(i + 1, i + 4).some((l) => PERF_HEADER_LINE.test(l))) return true;
      continue;
    }
    if (PERF_RECORD.test(line)) return true;
    const m = PERF_EVENT.exec(line);
    if (m) {
      events++;
      const next = lines.slice(i + 1, i + 3).find((l) => l.trim() !== '');
      if (next !== undefined && PERF_FRAME.test(next) && !PERF_EVENT.test(next)) return true;
      if (m.groups!.time !== undefined && ++timed >= 2) return true;
    } else if (events === 0 && ++stray > PERF_PREAMBLE_LINES) {
      return false;
    }
  }
  if (timed === 1 && !ctx.short) return true;
  return undecided(ctx);
}

// ---------------------------------------------------------------------------------------------
// go-escape

// A diagnostic's position: `./main.go:23:9`, `sub/x.go:4:2`, `/src/app/x.go:7:13`, `C:\src\x.go:1:2`,
// `<autogenerated>:1`.
const GO_POS = String.raw`(?:<autogenerated>|(?:[A-Za-z]:)?[^\s:]*\.go):\d+(?::\d+)?`;
// -gcflags=-m and -m=2 diagnostics:
//   ./main.go:23:31: map[string]interface {}{...} escapes to heap
//   ./main.go:22:24: leaking param: comm
//   ./main.go:38:24: &ebpf.MapSpec{...} does not escape
//   ./main.go:14:2: moved to heap: buf
//   ./main.go:26:6: can inline encodeBoxed
//   ./main.go:22:6: cannot inline boxed: function too complex: cost 122 exceeds budget 80
//   ./main.go:23:83: inlining call to time.Time.UnixNano
//   ./main.go:23:37:   flow: {heap} = &{storage for pid}:
//   ./main.go:23:37:     from pid (spill) at ./main.go:23:37
const GO_DIAG = new RegExp(
  String.raw`^${GO_POS}: (?:.*\b(?:escapes to heap|moved to heap|does not escape|leaking param|leaking closure|leaking result|can inline|cannot inline|inlining call to|devirtualizing)\b|\s+(?:flow: |from .* at ))`,
);
// The -json=0,DIR files: a header line, then one diagnostic (LSP Diagnostic) per line:
//   {"version":0,"package":"main","goos":"linux","goarch":"amd64","gc_version":"go1.19","file":"/src/main.go"}
//   {"range":{"start":{"line":23,"character":31},"end":{...}},"severity":3,"code":"escape","source":"go compiler","message":"..."}
const GO_JSON_DIAG = /"source"\s*:\s*"go compiler"/;

/** Mine on a -m diagnostic line anywhere among the build's output (`# pkg` headers, errors). */
function isGoEscape(ctx: TextHead): Verdict {
  for (const line of ctx.lines) if (GO_DIAG.test(line)) return true;
  return undecided(ctx);
}

/** Mine when the first line is the -json header, or a line is a go compiler diagnostic. */
function isGoEscapeJson(ctx: TextHead): Verdict {
  const first = ctx.lines.find((l) => l.trim() !== '');
  if (first === undefined || !first.trimStart().startsWith('{')) return undecided(ctx);
  const header = parseJson(first);
  if (isObject(header) && typeof header.version === 'number' && typeof header.package === 'string') return true;
  return ctx.lines.slice(0, 10).some((l) => GO_JSON_DIAG.test(l) && isObject(parseJson(l)));
}

// ---------------------------------------------------------------------------------------------
// gctrace

// One line per GC cycle on stderr, among the program's own output; every Go version's form:
//   gc 1 @0.036s 0%: 0.059+0.81+0.054 ms clock, 0.11+0.13/0.18/0.27+0.10 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
//   gc 9 @0.334s 0%: 0.056+0.64+0.004 ms clock, 0.11+0/0.17/0.59+0.008 ms cpu, 2->2->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
//   gc 1 @0.011s 2%: 0.040+0.89+0.005+0.48+0.062 ms clock, 0.12+0.89+0+0.69/0.002/0.26+0.18 ms cpu, 4->4->3 MB, 4 MB goal, 4 P   (Go 1.5)
//   gc1(1): 1+0+83+0 us, 0 -> 0 MB, 18 (19-1) objects, 0/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields   (Go 1.4)
const GC_LINE = /\bgc \d+ @\d+(?:\.\d+)?s \d+%: [\d.+/]+ ms clock, /;
const GC_LINE_OLD = /\bgc\d+\(\d+\): [\d+]+ (?:us|ms), /;
// The scavenger's lines, printed with gctrace=1:
//   scvg0: inuse: 4, idle: 58, sys: 63, released: 57, consumed: 5 (MB)   (Go ≤ 1.12)
//   scvg: 0 MB released
//   scav 0 KiB work, 0 KiB total, 99% util                                   (Go 1.13 on)
const SCAVENGER = /^(?:scvg\d*: (?:inuse: \d+, idle: \d+|\d+ MB released)|scav \d+ KiB work\b)/;

function isGctrace(ctx: TextHead): Verdict {
  for (const line of ctx.lines) if (GC_LINE.test(line) || GC_LINE_OLD.test(line) || SCAVENGER.test(line)) return true;
  return undecided(ctx);
}

// ---------------------------------------------------------------------------------------------
// perf sched latency

// The table header, newer and older perf:
//   Task                  |   Runtime ms  | Switches | Avg delay ms    | Max delay ms    | Max delay start           | Max delay end          |
//   Task                  |   Runtime ms  | Switches | Average delay ms | Maximum delay ms | Maximum delay at       |
const SCHED_HEADER = /^\s*Task\s*\|\s*Runtime ms\s*\|\s*Switches\s*\|\s*(?:Avg|Average) delay ms\s*\|/;
// A row:
//   mapstress:(5)         |      0.000 ms |      214 | avg:   0.204 ms | max:   4.413 ms | max start:   528.576127 s | max end:   528.580540 s
const SCHED_ROW = /^\s*\S.*\|\s*\d+\.\d+ ms\s*\|\s*\d+\s*\|\s*avg:\s*\d+\.\d+ ms\s*\|\s*max:\s*\d+\.\d+ ms\s*\|/;

function isSchedLatency(ctx: TextHead): Verdict {
  let rows = 0;
  for (const line of ctx.lines) {
    if (SCHED_HEADER.test(line)) return true;
    if (SCHED_ROW.test(line) && ++rows >= 2) return true;
  }
  return rows === 1 && !ctx.short ? true : undecided(ctx);
}

// ---------------------------------------------------------------------------------------------
// folded

// One stack per line, frames joined by `;`, then a space and the count (a frame may be blank):
//   mapstress;runtime.main;main.main;main.boxed;runtime.mapassign_faststr 12
//   java;start_thread;...;sun/nio/ch/FileDispatcherImpl:.write0_[j];  3
const FOLDED = /^\S.* \d+$/;
const FOLDED_NAME = /\.(?:folded|collapsed)(?:\.txt)?$/i;

/**
 * Mine when every line is a folded stack and one has a `;` (a file of single-frame stacks is only
 * told from `word 12` text by its name). Not mine at the first line that is not one.
 */
function isFolded(ctx: TextHead): Verdict {
  let semicolons = false;
  let stacks = 0;
  for (const line of ctx.lines) {
    if (line === '') continue;
    if (!FOLDED.test(line)) return false;
    stacks++;
    if (line.includes(';')) semicolons = true;
  }
  if (stacks > 0 && (semicolons || FOLDED_NAME.test(ctx.name))) return true;
  return undecided(ctx);
}

// ---------------------------------------------------------------------------------------------
// manifest

// {"repo": "acme/mapstress", "branch": "main", "commit": "3f2a9c1", "goVersion": "go1.19",
//  "labels": {"runner": "ci-large"}, "binary": "mapstress", "clock": {"anchors": [{"perfSeconds": 512.075, "goSeconds": 0.0}]}}
const MANIFEST_KEYS = ['repo', 'branch', 'commit', 'goVersion', 'labels', 'binary', 'clock'];
const MANIFEST_NAME = /(?:^|\/)manifest\.json$/i;

/** Mine for a JSON object with a manifest key, or any JSON object named manifest.json. */
function isManifest(ctx: TextHead): Verdict {
  const text = ctx.text.trim();
  if (!text.startsWith('{')) return false;
  const value = parseJson(text);
  if (value === undefined) return ctx.short ? undefined : false; // incomplete JSON: need the rest
  if (!isObject(value)) return false;
  return MANIFEST_KEYS.some((k) => k in value) || MANIFEST_NAME.test(ctx.name);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text rules, most specific first; the first that says mine wins. */
const TEXT_RULES: ReadonlyArray<[InputKind, (ctx: TextHead) => Verdict]> = [
  ['go-escape', isGoEscapeJson],
  ['manifest', isManifest],
  ['perf-script', isPerfScript],
  ['perf-sched-latency', isSchedLatency],
  ['gctrace', isGctrace],
  ['go-escape', isGoEscape],
  ['folded', isFolded],
];
