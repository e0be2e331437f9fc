/**
 * The report: what TraceLens says about one trace archive (SPEC §4, `schemaVersion: 1`).
 * Times are integer nanoseconds, shares are fractions in [0, 1].
 * Later analyses fill the sections that are empty today; the keys are fixed by the spec.
 */
import type { GcCausality } from './causality.js';
import type { FreshFaultsResult } from '../analyses/memory/page-faults.js';
import type { GcAlignment, GcCycle } from './gc.js';
import type { LatencySeries } from './latency.js';
import type { SchedLatencyTable } from './sched.js';

export const SCHEMA_VERSION = 1 as const;

export type AnalysisStatus = 'pending' | 'running' | 'complete' | 'failed';

/** SPEC §1: the kinds of input an archive entry can be, detected from content. */
export const INPUT_KINDS = [
  'perf-script',
  'pprof',
  'go-escape',
  'gctrace',
  'perf-sched-latency',
  'folded',
  'manifest',
  'unknown',
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export interface InputSummary {
  /** Path of the entry inside the archive (or the loose file's name). */
  name: string;
  kind: InputKind;
  /** Decoded bytes of the entry (after any gzip of its own). */
  bytes: number;
  /** Bytes as stored in the archive, when the entry was compressed. */
  storedBytes?: number;
  /** `gzip` when the entry was itself gzipped. */
  encoding?: 'gzip';
  warnings: string[];
  /** Set when this entry could not be read; the other entries are still analysed. */
  error?: string;
  /** Per-kind summary (filled by the parser for that kind). */
  summary?: Record<string, unknown>;
}

export type Severity = 'info' | 'warning' | 'error';

export interface Finding {
  id: string;
  rule: string;
  severity: Severity;
  title: string;
  message: string;
  location?: { file?: string; line?: number; column?: number; function?: string };
  evidence: Record<string, unknown>;
  recommendation: string;
}

export interface DataQualityItem {
  rule: string;
  severity: Severity;
  message: string;
  input?: string;
}

/** A function's weight in a profile: as the leaf (`self`) and anywhere on the stack (`total`, once per stack). */
export interface FunctionWeight {
  name: string;
  self: number;
  total: number;
}

/** SPEC §4 `hotspots[]`: per perf event type and per CPU profile. */
export interface Hotspot {
  /** The input the weights come from. */
  source: string;
  /** perf event (`task-clock`, `cycles:ppp`) or pprof sample type (`cpu/nanoseconds`). */
  event: string;
  /** What a weight counts: `period` units of the event (ns for task-clock), `samples`, or a pprof unit. */
  unit: string;
  samples: number;
  totalWeight: number;
  topFunctions: FunctionWeight[];
}

/** One compiler diagnostic of an escape site (a site is a source line; several values can escape on one). */
export interface EscapeSiteDiagnostic {
  column: number;
  expression: string;
  message: string;
  reasons: string[];
}

/** SPEC §4 `escapeSites[]`: a source line where values move to the heap, and what that costs. */
export interface EscapeSite {
  file: string;
  line: number;
  /** Column of the first diagnostic on the line. */
  column: number;
  /** The function the allocation happens in (from the heap profile; or the compiler's prefix). */
  function?: string;
  /** The escaping expressions on this line, comma-separated (`map[string]interface {}{...}, pid, comm`). */
  expression: string;
  /** The first diagnostic's message. */
  message: string;
  diagnostics: EscapeSiteDiagnostic[];
  boxing: boolean;
  /** Why this is boxing, when it is: compiler reasons, interface{} parameters, convT* callers. */
  boxingEvidence: string[];
  reasons: string[];
  /** Bytes and objects the heap profile (alloc_space/alloc_objects) attributes to this line as the leaf. */
  allocBytes: number;
  allocObjects: number;
  /** allocBytes over all allocated bytes in the heap profile. */
  allocShare: number;
  /** Bytes allocated in callees reached from this line (not counted in allocBytes). */
  calleeAllocBytes: number;
  /** Share of CPU spent in the allocator (mallocgc, newobject, convT*, growslice, ...) on behalf of this line. */
  cpuShare: number;
  /** Where cpuShare came from: `pprof` (line-exact), `perf` (by function), or absent. */
  cpuSource?: 'pprof' | 'perf';
}

/** A map operation of an eBPF binding library and the allocations its marshalling costs. */
export interface EbpfMapOperation {
  library: string;
  /** The binding's function, e.g. `github.com/cilium/ebpf.(*Map).Put`. */
  operation: string;
  /** The caller's line in the program (the first frame outside the binding). */
  callSite?: { file: string; line: number; function: string };
  /** Everything allocated under the operation, and the part in marshalling (reflection, binary.Write, marshalBytes). */
  allocBytes: number;
  allocObjects: number;
  marshalBytes: number;
  marshalObjects: number;
}

export interface EbpfBindings {
  /** cilium/ebpf, libbpfgo, gobpf: detected from symbols and paths. */
  libraries: string[];
  evidence: string[];
  mapOperations: EbpfMapOperation[];
}

/** What one run of the analysis produces, independent of where it ran (server or CLI). */
export interface AnalysisResult {
  inputs: InputSummary[];
  findings: Finding[];
  escapeSites: EscapeSite[];
  hotspots: Hotspot[];
  /** GC cycles from gctrace (times since the Go process started until aligned onto perf's clock). */
  gc: { cycles: GcCycle[]; alignment: GcAlignment | null };
  /** Latency series from perf (SPEC §2), one per operation and kind, with the input they come from. */
  latency: Array<LatencySeries & { source: string; gc?: GcCausality | { verdict: 'insufficient-data'; verdictReason: string } }>;
  /** `perf sched latency` tables, per input. */
  sched: { tables: Array<SchedLatencyTable & { source: string }> } | null;
  /** Page faults in regions mapped shortly before (eBPF JIT, ring buffers), from the perf input with the most faults. */
  pageFaults: (FreshFaultsResult & { source: string }) | null;
  dataQuality: DataQualityItem[];
  /** eBPF binding libraries seen in the inputs, and their map operations' allocations. */
  ebpf?: EbpfBindings;
}

export interface AnalysisMeta {
  id: string;
  repo?: string;
  branch?: string;
  commit?: string;
  labels: Record<string, string>;
}

export interface Report extends AnalysisMeta, AnalysisResult {
  schemaVersion: typeof SCHEMA_VERSION;
  status: AnalysisStatus;
  error?: string;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  /** While running: how far the analyzer has read. */
  progress?: AnalysisProgress;
}

export interface AnalysisProgress {
  /** Bytes of the archive read so far (as stored). */
  archiveBytesRead: number;
  /** Total archive size when known. */
  archiveBytes?: number;
  entriesRead: number;
  currentEntry?: string;
}

/** An escape site at a location, nothing attributed to it yet (the join fills in the rest). */
export function emptyEscapeSite(at: Pick<EscapeSite, 'file' | 'line' | 'column'> & Partial<EscapeSite>): EscapeSite {
  const { file, line, column, function: fn, ...rest } = at;
  return {
    file,
    line,
    column,
    ...(fn !== undefined ? { function: fn } : {}),
    expression: '',
    message: '',
    diagnostics: [],
    boxing: false,
    boxingEvidence: [],
    reasons: [],
    allocBytes: 0,
    allocObjects: 0,
    allocShare: 0,
    calleeAllocBytes: 0,
    cpuShare: 0,
    ...rest,
  };
}

export function emptyResult(): AnalysisResult {
  return {
    inputs: [],
    findings: [],
    escapeSites: [],
    hotspots: [],
    gc: { cycles: [], alignment: null },
    latency: [],
    sched: null,
    pageFaults: null,
    dataQuality: [],
  };
}
