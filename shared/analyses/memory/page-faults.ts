/**
 * Page faults in freshly mapped regions: MMAP/MMAP2 records build per-process interval sets, and each
 * page-fault sample with an address is matched to the region holding it. A pure accumulator.
 */
import { isPageFaultEvent } from '../../parsers/perf-script/tracepoints.js';
import type { PerfSample, PerfTaskEvent } from '../../model/perf.js';

export type RegionKind = 'bpf' | 'anon' | 'file';

export interface FreshRegion {
  file: string;
  kind: RegionKind;
  /** Hex with `0x`. */
  start: string;
  length: number;
  pid: number;
  mappedAtNs: number;
  /** Faults within the window after the mapping. */
  faults: number;
  /** Delay of the first fault after the mapping, ns. */
  firstFaultAfterNs: number;
}

export interface FreshFaultsResult {
  /** Page-fault samples with an address (tracepoint `page_fault` or page-faults/minor-faults/major-faults with `-d`). */
  faults: number;
  /** Of those, faults within windowNs after the mapping of the region that holds the address. */
  inFresh: number;
  /** Faults inside a region mapped before them (fresh or not). */
  inRegion: number;
  /** Page-fault samples without a readable address or time. */
  noAddress: number;
  /** Regions with fresh faults, most first (at most `limit`). */
  regions: FreshRegion[];
  /** Regions held, and MMAP records dropped because maxRegions was reached. */
  regionsHeld: number;
  regionsDropped: number;
  /** Fault delays not kept (maxDelays reached): those faults count in inRegion but never as fresh. */
  delaysDropped: number;
}

interface Region {
  start: bigint;
  end: bigint;
  file: string;
  kind: RegionKind;
  pid: number;
  mappedAtNs: bigint;
  /** Delays (ns) of the faults after the mapping, in arrival order. */
  delays: number[];
}

export interface FreshMappingFaultsOptions {
  /** Most regions held at once, over all processes. Default 100 000. */
  maxRegions?: number;
  /** Most fault delays kept, over all regions. Default 1 000 000. */
  maxDelays?: number;
}

const copy = (s: string): string => (' ' + s).slice(1);

export function regionKind(file: string): RegionKind {
  if (file.startsWith('anon_inode:bpf')) return 'bpf';
  if (file === '' || file.startsWith('//anon') || file.startsWith('[') || file.startsWith('/memfd:') || file.startsWith('anon_inode:') ||
    file.startsWith('/dev/zero')) return 'anon';
  return 'file';
}

/**
 * The faulting address of a page-fault sample, or undefined when it is not one or has none. The parser
 * decides (parseTracepoint): a software fault event whose payload cannot tell the data address from the
 * ip carries no tracepoint, and is counted as a fault without an address.
 */
export function faultAddress(s: PerfSample): bigint | undefined {
  return s.tracepoint?.type === 'page_fault' ? s.tracepoint.addr : undefined;
}

export class FreshMappingFaults {
  private readonly maxRegions: number;
  private readonly maxDelays: number;
  /** Per pid: non-overlapping regions sorted by start. */
  private readonly byPid = new Map<number, Region[]>();
  private held = 0;
  private dropped = 0;
  private delaysHeld = 0;
  private delaysDropped = 0;
  private faults = 0;
  private inRegion = 0;
  private noAddress = 0;

  constructor(opts: FreshMappingFaultsOptions = {}) {
    this.maxRegions = opts.maxRegions ?? 100_000;
    this.maxDelays = opts.maxDelays ?? 1_000_000;
  }

  task(t: PerfTaskEvent): void {
    if (t.record === 'COMM' && t.exec) {
      // exec replaces the address space.
      const list = this.byPid.get(t.target?.pid ?? t.pid ?? t.tid);
      if (list) { this.held -= list.length; list.length = 0; }
      return;
    }
    if ((t.record !== 'MMAP' && t.record !== 'MMAP2') || !t.mmap || t.timeNs === undefined) return;
    const pid = t.target?.pid ?? t.pid ?? t.tid;
    if (pid < 0 || t.mmap.length <= 0n) return; // kernel maps
    const start = t.mmap.start;
    const end = start + t.mmap.length;
    let list = this.byPid.get(pid);
    if (!list) this.byPid.set(pid, (list = []));
    // A new mapping replaces whatever it overlaps: trim, split or remove those regions.
    let i = firstEndingAfter(list, start);
    const replacement: Region[] = [];
    let j = i;
    for (; j < list.length && list[j]!.start < end; j++) {
      const r = list[j]!;
      if (r.start < start) replacement.push({ ...r, end: start, delays: r.delays });
      if (r.end > end) replacement.push({ ...r, start: end, delays: r.start < start ? [] : r.delays }); // earlier faults stay with the left part
    }
    const removed = j - i;
    const net = replacement.length + 1 - removed;
    if (this.held + net > this.maxRegions) { this.dropped++; return; }
    const file = copy(t.mmap.file);
    const region: Region = { start, end, file, kind: regionKind(file), pid, mappedAtNs: t.timeNs, delays: [] };
    const ins = replacement.filter((r) => r.start < start);
    ins.push(region);
    for (const r of replacement) if (r.start >= end) ins.push(r);
    list.splice(i, removed, ...ins);
    this.held += net;
  }

  sample(s: PerfSample): void {
    const addr = faultAddress(s);
    if (addr === undefined) {
      if (s.tracepoint?.type === 'page_fault' || isPageFaultEvent(s.event)) this.noAddress++;
      return;
    }
    if (s.timeNs === undefined) { this.noAddress++; return; }
    this.faults++;
    const list = this.byPid.get(s.pid ?? s.tid);
    if (!list) return;
    const i = firstEndingAfter(list, addr);
    const r = list[i];
    if (!r || r.start > addr || r.mappedAtNs > s.timeNs) return;
    this.inRegion++;
    if (this.delaysHeld >= this.maxDelays) { this.delaysDropped++; return; }
    r.delays.push(Number(s.timeNs - r.mappedAtNs));
    this.delaysHeld++;
  }

  result(windowNs = 1e9, limit = 50): FreshFaultsResult {
    const regions: FreshRegion[] = [];
    let inFresh = 0;
    const seen = new Set<number[]>();
    for (const list of this.byPid.values()) {
      for (const r of list) {
        if (r.delays.length === 0 || seen.has(r.delays)) continue; // split halves share a delays array
        seen.add(r.delays);
        let n = 0;
        let first = Infinity;
        for (const d of r.delays) {
          if (d <= windowNs) n++;
          if (d < first) first = d;
        }
        if (n === 0) continue;
        inFresh += n;
        regions.push({ file: r.file, kind: r.kind, start: '0x' + r.start.toString(16), length: Number(r.end - r.start), pid: r.pid, mappedAtNs: Number(r.mappedAtNs), faults: n, firstFaultAfterNs: first });
      }
    }
    regions.sort((a, b) => b.faults - a.faults || a.mappedAtNs - b.mappedAtNs);
    return {
      faults: this.faults, inFresh, inRegion: this.inRegion, noAddress: this.noAddress,
      regions: regions.slice(0, Math.max(0, limit)),
      regionsHeld: this.held, regionsDropped: this.dropped, delaysDropped: this.delaysDropped,
    };
  }
}

/** Index of the first region whose end is past addr (regions sorted, non-overlapping). */
function firstEndingAfter(list: readonly Region[], addr: bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.end <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
