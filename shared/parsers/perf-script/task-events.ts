/**
 * The details of `PERF_RECORD_*` lines that `perf script --show-task-events --show-mmap-events` prints
 * after the usual sample prefix (comm, tid, cpu, time). The caller splits off the prefix and the record
 * name; this parses what follows the name.
 *
 * Formats (tools/perf/util/event.c, https://github.com/torvalds/linux/blob/master/tools/perf/util/event.c):
 *   perf_event__fprintf_comm:  "%s: %s:%d/%d\n"  (" exec" or "", comm, pid, tid)
 *   perf_event__fprintf_task:  "(%d:%d):(%d:%d)\n"  (pid, tid, ppid, ptid) for FORK and EXIT
 *   perf_event__fprintf_mmap:  " %d/%d: [%#lx(%#lx) @ %#lx]: %c %s\n"  ('r' data / 'x' exec)
 *   perf_event__fprintf_mmap2: " %d/%d: [%#lx(%#lx) @ %#lx %02x:%02x %lu %lu]: %c%c%c%c %s\n"
 *     and, for records written with `--buildid-mmap`, " %d/%d: [%#lx(%#lx) @ %#lx <%s>]: %c%c%c%c %s\n".
 * `%#lx` prints `0` for zero and `0x...` otherwise. Comms (up to 15 bytes) and file names may hold spaces
 * and colons, so both are taken from the fixed fields around them, never by splitting on spaces. The
 * leading space of a detail is optional (callers may trim it); perf 3.x MMAP2 printed MMAP's `x`/`r`.
 */
import type { PerfTaskEvent } from '../../model/perf.js';

// ` exec: mapstress:6341/6341`, `: perf-exec:6341/6341`, `: mm: worker 2:23263/23265`
const COMM = /^ ?(exec)?: (.*):(-?\d+)\/(-?\d+)$/;
// `(6342:6342):(6341:6341)`
const TASK = /^\((-?\d+):(-?\d+)\):\((-?\d+):(-?\d+)\)$/;
// ` -1/0: [0xffffffff81000000(0x1276508) @ 0xffffffff81000000]: x [kernel.kallsyms]_text`
const MMAP = /^ ?(-?\d+)\/(-?\d+): \[(0x[0-9a-f]+|0)\((0x[0-9a-f]+|0)\) @ (0x[0-9a-f]+|0)\]: ([rx]) (.*)$/;
// ` 23263/23263: [0x7fb9ef9a3000(0x9000) @ 0 fe:00 673 0]: r--p /etc/ld.so.cache`
// ` 23263/23263: [0x5564a1327000(0x4000) @ 0x2000 <c89156ebdabf859f4ee70cb0c303004dccf1ae51>]: r-xp /tmp/dir with space/my prog`
// ` 23263/23263: [0x7fb9ef9ac000(0x2000) @ 0x7fb9ef9ac000 00:00 0 0]: rw-p //anon`
const MMAP2 =
  /^ ?(-?\d+)\/(-?\d+): \[(0x[0-9a-f]+|0)\((0x[0-9a-f]+|0)\) @ (0x[0-9a-f]+|0) (?:[0-9a-f]+:[0-9a-f]+ \d+ \d+|<([0-9a-f]*)>)\]: ([rwxsp-]{4}|[rx]) (.*)$/;

/**
 * The fields of a task record's detail. `record` is the name after `PERF_RECORD_` (`COMM`, `EXIT`, `FORK`,
 * `MMAP`, `MMAP2`, anything else), `detail` the raw text after it. Returns `{}` for other records and for
 * details that do not have the record's form; the caller keeps `record` and `detail` either way.
 */
export function parseTaskRecord(record: string, detail: string): Partial<PerfTaskEvent> {
  const d = detail.replace(/[\r\n]+$/, '');
  switch (record) {
    case 'COMM':
      return parseComm(d);
    case 'FORK':
    case 'EXIT':
      return parseTask(d);
    case 'MMAP':
      return parseMmap(d);
    case 'MMAP2':
      return parseMmap2(d);
    default:
      return {};
  }
}

function parseComm(detail: string): Partial<PerfTaskEvent> {
  const m = COMM.exec(detail);
  if (!m) return {};
  return { newComm: m[2]!, exec: m[1] !== undefined, target: { pid: Number(m[3]), tid: Number(m[4]) } };
}

function parseTask(detail: string): Partial<PerfTaskEvent> {
  const m = TASK.exec(detail.trim());
  if (!m) return {};
  return {
    child: { pid: Number(m[1]), tid: Number(m[2]) },
    parent: { pid: Number(m[3]), tid: Number(m[4]) },
  };
}

function parseMmap(detail: string): Partial<PerfTaskEvent> {
  const m = MMAP.exec(detail);
  if (!m) return {};
  return {
    target: { pid: Number(m[1]), tid: Number(m[2]) },
    mmap: { start: BigInt(m[3]!), length: BigInt(m[4]!), pgoff: BigInt(m[5]!), prot: m[6]!, file: m[7]! },
  };
}

function parseMmap2(detail: string): Partial<PerfTaskEvent> {
  const m = MMAP2.exec(detail);
  if (!m) return {};
  const mmap: NonNullable<PerfTaskEvent['mmap']> = {
    start: BigInt(m[3]!),
    length: BigInt(m[4]!),
    pgoff: BigInt(m[5]!),
    prot: m[7]!,
    file: m[8]!,
  };
  if (m[6] !== undefined) mmap.buildId = m[6];
  return { target: { pid: Number(m[1]), tid: Number(m[2]) }, mmap };
}
