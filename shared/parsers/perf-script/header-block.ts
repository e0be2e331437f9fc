/**
 * The `# ========` ... `# ========` block that `perf script --header` (and `--header-only`) prints before
 * the samples. perf writes one `# key : value` line per feature of perf.data (tools/perf/util/header.c,
 * https://github.com/torvalds/linux/blob/master/tools/perf/util/header.c, `print_*` functions and
 * perf_header__fprintf_info), e.g. from perf 6.1:
 *
 *   # ========
 *   # captured on    : Tue Nov 24 20:39:26 2026
 *   # hostname : vm
 *   # os release : 6.18.44-fc-v769
 *   # perf version : 6.1.187
 *   # arch : x86_64
 *   # nrcpus online : 2
 *   # nrcpus avail : 2
 *   # cmdline : /usr/bin/perf record -q -o /tmp/sys.data -e sched:sched_switch -g -- python3 bpf-threads.py
 *   # event : name = sched:sched_switch, , id = { 777, 778 }, type = 2, size = 128, config = 0x174, ...
 *   # pmu mappings: software = 1, uprobe = 8, breakpoint = 5, tracepoint = 2, msr = 9
 *   # CPU_TOPOLOGY info available, use -I to display
 *   # ========
 *   #
 *
 * The key is everything before the first `:` (keys have no colon; values may: `captured on`, `cmdline`),
 * trimmed. Lines without a colon (`# CPU_TOPOLOGY info available, ...`, `#  L1 Data  48K [0]`) carry no
 * pair and are skipped.
 */
import type { PerfHeader } from '../../model/perf.js';

type NamedField = 'capturedOn' | 'hostname' | 'osRelease' | 'perfVersion' | 'arch' | 'cmdline';

/** Maps the keys perf prints to PerfHeader's named fields. */
const NAMED: ReadonlyMap<string, NamedField> = new Map<string, NamedField>([
  ['captured on', 'capturedOn'],
  ['hostname', 'hostname'],
  ['os release', 'osRelease'],
  ['perf version', 'perfVersion'],
  ['arch', 'arch'],
  ['cmdline', 'cmdline'],
]);

/**
 * Collects the header block line by line. Feed it every line of the block, the `# ========` bars
 * included (lines after the closing bar are ignored), then read `result()`.
 */
export class HeaderBlock {
  private readonly header: PerfHeader = { events: [], fields: {} };
  private bars = 0;
  private nrcpusAvail: string | undefined;

  /** One line of the block, without its line break. */
  line(text: string): void {
    if (text.startsWith('# ========')) {
      this.bars++;
      return;
    }
    if (this.bars >= 2 || text.charCodeAt(0) !== 0x23 /* # */) return;
    const colon = text.indexOf(':');
    if (colon < 0) return;
    const key = text.slice(1, colon).trim();
    if (key === '') return;
    const value = text.slice(colon + 1).trim();
    const fields = this.header.fields;
    if (key === 'event') {
      // `# event : name = task-clock, , id = { 12, 13 }, type = 1, size = 136, ...`
      this.header.events.push(value);
    }
    // Repeated keys (`event`, `sibling threads`, ...) keep their first value in `fields`.
    if (!Object.hasOwn(fields, key)) fields[key] = value;
    const named = NAMED.get(key);
    if (named !== undefined) {
      this.header[named] ??= value;
    } else if (key === 'nrcpus online') {
      this.header.nrCpus = value;
    } else if (key === 'nrcpus avail') {
      this.nrcpusAvail ??= value;
    }
  }

  /** What the block said so far. `nrCpus` is the online count, or the available one when only that was printed. */
  result(): PerfHeader {
    const h = this.header;
    const out: PerfHeader = { ...h, events: [...h.events], fields: { ...h.fields } };
    if (out.nrCpus === undefined && this.nrcpusAvail !== undefined) out.nrCpus = this.nrcpusAvail;
    return out;
  }
}
