/**
 * The text of `perf sched latency` → per-task scheduling delay (SchedTask[]), the TOTAL line and
 * perf's INFO lines. Formats from tools/perf/builtin-sched.c (torvalds/linux), `perf_sched__lat`
 * and `output_lat_thread`:
 *
 * Each row starts with the task, padded to 24 columns:
 *
 *   if (work_list->num_merged > 1)
 *       ret = printf("  %s:(%d) ", thread__comm_str(work_list->thread), work_list->num_merged);
 *   else
 *       ret = printf("  %s:%d ", thread__comm_str(work_list->thread), work_list->thread->tid);
 *   for (i = 0; i < 24 - ret; i++) printf(" ");
 *
 * (perf before the by-comm merge, ~3.x, printed only `  %s:%d `.) `thread__comm_str` of a thread
 * whose comm perf never saw is `:%d` of its tid, hence `:38:38`. A comm may hold spaces and colons
 * (`memfd:sealed-91:(4)`), so the task is split at its last colon.
 *
 * Then, by version (the row tail):
 *
 *   perf ≥ 4.17 (timestamps of the worst delay's wakeup and sched-in, `timestamp__scnprintf_usec` is `%lu.%06lu`):
 *     printf("|%11.3f ms |%9" PRIu64 " | avg:%8.3f ms | max:%8.3f ms | max start: %12s s | max end: %12s s\n", ...)
 *   perf ~4.10–4.16:
 *     printf("|%11.3f ms |%9" PRIu64 " | avg:%9.3f ms | max:%9.3f ms | max at: %13s s\n", ...)
 *   perf ~3.x–4.9:
 *     printf("|%11.3f ms |%9" PRIu64 " | avg:%9.3f ms | max:%9.3f ms | max at: %13.6f s\n", ..., (double)work_list->max_lat_at / 1e9)
 *   (`max_lat_at` was the sched-in timestamp, `atoms->max_lat_at = timestamp` in add_sched_in_event, so
 *   it is read as maxDelayEndNs.) Rows without any timestamp column are accepted too.
 *
 * The header (perf ≥ 4.17, then older):
 *
 *   printf("  Task                  |   Runtime ms  | Switches | Avg delay ms    | Max delay ms    | Max delay start           | Max delay end          |\n");
 *   printf("  Task                  |   Runtime ms  | Switches | Average delay ms | Maximum delay ms | Maximum delay at       |\n");
 *
 * framed by lines of dashes, then `  TOTAL:                |%11.3f ms |%9" PRIu64 " |\n`, dashes, and
 * print_bad_events: `  INFO: %.3f%% unordered timestamps (%ld out of %ld)`, `... lost events (%ld out
 * of %ld, in %ld chunks)`, `... state machine bugs (%ld out of %ld)`, `... context switch bugs (%ld out
 * of %ld)` (+ ` (due to lost events?)`). Every INFO line is kept as text.
 *
 * Never throws on content: a line that is none of these is a warning with its line number. A line
 * longer than maxLineBytes ends the reading with a warning (lineBatches refuses it).
 */
import { MalformedInputError } from '../errors.js';
import type { SchedLatencyTable, SchedTask } from '../model/sched.js';
import type { ByteSource } from './bytes.js';
import { lineBatches } from './lines.js';

export interface PerfSchedLatencyOptions {
  /** Name of the input, for warnings. */
  file: string;
  /** Longest line read, in bytes (default 1 MiB; perf's lines are ~160 bytes). */
  maxLineBytes?: number;
}

export type PerfSchedLatencyResult = SchedLatencyTable;

const NUM = String.raw`(\d+(?:\.\d+)?)`;

// A row, matched from its `|` on; the task is everything before (lazy, so a `|` in a comm stays in it):
//   mapstress:(5)         |      0.000 ms |      214 | avg:   0.204 ms | max:   4.413 ms | max start:   528.576127 s | max end:   528.580540 s
//   perf:(2)              |      1.759 ms |        4 | avg:    0.037 ms | max:    0.126 ms | max at:    234.604618 s
//   ar:17043              |      3.191 ms |        1 | avg:   13.638 ms | max:   13.638 ms
// No two `\s*` (or `.*?` and `\s*`) meet: a line of spaces must not cost quadratic (or cubic) time
// in backtracking (found by the fuzz properties: 3,000 spaces took seconds). The task is trimmed in code.
const ROW = new RegExp(
  String.raw`^(.*?)\|\s*${NUM} ms\s*\|\s*(\d+)\s*\|\s*avg:\s*${NUM} ms\s*\|\s*max:\s*${NUM} ms` +
    String.raw`(?:\s*\|\s*max start:\s*${NUM} s\s*\|\s*max end:\s*${NUM} s|\s*\|\s*max at:\s*${NUM} s)?\s*(?:\|\s*)?$`,
);
//   TOTAL:                |      0.000 ms |      221 |
const TOTAL = new RegExp(String.raw`^\s*TOTAL:\s*\|\s*${NUM} ms\s*\|\s*(\d+)\s*(?:\|\s*)?$`);
//   INFO: 380.882% context switch bugs (518 out of 136)
const INFO = /^\s*(INFO:.*)$/; // trimmed in code (a lazy `.*?` before `\s*$` is quadratic on trailing blanks)
//  -------------------------------------------------------------------------------------------------------------------------------------------
const SEPARATOR = /^\s*-{3,}\s*$/;
//   Task                  |   Runtime ms  | Switches | Avg delay ms    | Max delay ms    | Max delay start           | Max delay end          |
//   Task                  |   Runtime ms  | Switches | Average delay ms | Maximum delay ms | Maximum delay at       |
const HEADER = /^\s*Task\s*\|\s*Runtime ms\s*\|\s*Switches\s*\|/;
//   mapstress:(5)   memfd:sealed-91:(4)   sed:22288   :38:38
const TASK_MERGED = /^(.*):\((\d+)\)$/;
const TASK_TID = /^(.*):(\d+)$/;
const UNNAMED = /^:\d+$/;

/** A decimal string (`4.413`, `528.576127`) times 10^scale, as an integer: no float rounding. */
export function decimalToInt(s: string, scale: number): number {
  const dot = s.indexOf('.');
  const whole = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  const kept = frac.slice(0, scale).padEnd(scale, '0');
  const roundUp = frac.length > scale && frac.charCodeAt(scale) >= 0x35 /* '5' */ ? 1 : 0;
  return Number(whole) * 10 ** scale + Number(kept) + roundUp;
}
const msToNs = (s: string) => decimalToInt(s, 6);
const secToNs = (s: string) => decimalToInt(s, 9);

/** Splits the printed task into comm and tid or merged-thread count. */
export function splitTask(task: string): Pick<SchedTask, 'comm' | 'pid' | 'threads'> {
  let m = TASK_MERGED.exec(task);
  if (m) return { comm: UNNAMED.test(m[1]!) ? '' : m[1]!, threads: Number(m[2]) };
  m = TASK_TID.exec(task);
  if (m) return { comm: UNNAMED.test(m[1]!) ? '' : m[1]!, pid: Number(m[2]) };
  return { comm: task };
}

export async function parsePerfSchedLatency(
  source: ByteSource,
  opts: PerfSchedLatencyOptions,
): Promise<PerfSchedLatencyResult> {
  const out: PerfSchedLatencyResult = { tasks: [], info: [], warnings: [] };
  const decoder = new TextDecoder('utf-8');
  let lineNo = 0;
  try {
    for await (const batch of lineBatches(source, { file: opts.file, maxLineBytes: opts.maxLineBytes ?? 1 << 20 })) {
      for (const bytes of batch) onLine(decoder.decode(bytes), ++lineNo, out);
    }
  } catch (err) {
    if (!(err instanceof MalformedInputError)) throw err;
    out.warnings.push({ line: lineNo + 1, message: `${err.message}; the rest of the input was not read` });
  }
  return out;
}

function onLine(text: string, line: number, out: PerfSchedLatencyResult): void {
  if (text.trim() === '' || SEPARATOR.test(text) || HEADER.test(text)) return;
  let m = INFO.exec(text);
  if (m) {
    out.info.push(m[1]!.trimEnd());
    return;
  }
  m = TOTAL.exec(text);
  if (m) {
    if (out.total) out.warnings.push({ line, message: 'a second TOTAL line; the last one is kept' });
    out.total = { runtimeMs: Number(m[1]), switches: Number(m[2]) };
    return;
  }
  m = ROW.exec(text);
  const task = m?.[1]!.trim();
  if (m && task !== undefined && task !== '' && task !== 'TOTAL:') {
    const row: SchedTask = {
      task,
      ...splitTask(task),
      runtimeNs: msToNs(m[2]!),
      switches: Number(m[3]),
      avgDelayNs: msToNs(m[4]!),
      maxDelayNs: msToNs(m[5]!),
    };
    if (m[6] !== undefined) row.maxDelayStartNs = secToNs(m[6]);
    if (m[7] !== undefined) row.maxDelayEndNs = secToNs(m[7]);
    else if (m[8] !== undefined) row.maxDelayEndNs = secToNs(m[8]);
    out.tasks.push(row);
    return;
  }
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  out.warnings.push({ line, message: `not a perf sched latency line: ${JSON.stringify(shown.trim())}` });
}
