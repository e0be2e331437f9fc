/**
 * A comparison of two analyses (SPEC §5 `GET /v1/analyses/{id}/compare?base=...`): what changed from
 * the baseline (`base`) to the analysis under review (`head`), the ESC003 findings, and the CI gate.
 * Bytes and times are integers (ns); shares are fractions in [0, 1]; a share delta is head - base
 * (fraction points: 0.05 = 5 points); a ratio is (head - base) / base, `null` when base is 0.
 */
import type { GcVerdict } from './causality.js';
import type { EscapeSite, Finding } from './report.js';

/** The gate's thresholds. The gate fails when a value reaches (>=) its threshold. */
export interface GateThresholds {
  /** A new escape site (absent or 0 bytes in base) fails at this many allocated bytes. Default 1 MiB. */
  maxNewSiteBytes: number;
  /** ... or at this share of head's allocated bytes. Default 0.05. */
  maxNewSiteShare: number;
  /** A site that grew fails when it grew by this ratio (0.2 = +20%) ... Default 0.2. */
  maxSiteGrowthRatio: number;
  /** ... and by at least this many bytes (both must hold). Default 1 MiB. */
  maxSiteGrowthBytes: number;
  /** All allocated bytes (heap profile alloc_space) grew by this ratio ... Default 0.2. */
  maxTotalGrowthRatio: number;
  /** ... and by at least this many bytes (a floor against noise in tiny profiles). Default 1 MiB. */
  totalGrowthFloorBytes: number;
  /** Fail when a latency series present in both went to the `gc-explains` verdict. Default true. */
  failOnGcExplains: boolean;
  /** A series' p99 grew by this ratio (0.5 = +50%) ... Default 0.5. */
  maxP99GrowthRatio: number;
  /** ... and by at least this many ns (both must hold). Default 50 µs (50000). */
  p99GrowthFloorNs: number;
  /** The p99 check only looks at series with at least this many measurements on both sides. Default 100. */
  latencyMinCount: number;
  /** GC's share of CPU grew by this many points (0.05 = 5 points). Default 0.05. */
  maxGcCpuShareGrowth: number;
  /** ESC003 (warning) for a new site with at least this many bytes, or a site that grew by at least this many. Default 64 KiB. */
  reportMinBytes: number;
  /** ESC003 for a grown site only when it grew by at least this ratio. Default 0.1. */
  reportGrowthRatio: number;
}

export interface ComparedRef {
  id?: string;
  repo?: string;
  branch?: string;
  commit?: string;
}

export interface NumberDelta {
  base: number;
  head: number;
  delta: number;
  /** delta / base; null when base is 0. */
  ratio: number | null;
}

export type SiteChange = 'new' | 'gone' | 'grown' | 'shrunk';

/** An escape site in both or either analysis: the site's own fields (head's; base's for a site only in base) and the change. */
export interface SiteDelta extends Pick<EscapeSite, 'file' | 'line' | 'column' | 'function' | 'expression' | 'message' | 'boxing' | 'reasons'> {
  status: SiteChange;
  /** Base's file when it is spelled differently (another path prefix). */
  baseFile?: string;
  baseBytes: number;
  headBytes: number;
  deltaBytes: number;
  /** deltaBytes / baseBytes; null when baseBytes is 0. */
  deltaRatio: number | null;
  baseShare: number;
  headShare: number;
  deltaShare: number;
  baseObjects: number;
  headObjects: number;
  /** Whether this site alone fails the gate. */
  failsGate: boolean;
}

export interface FunctionShareDelta {
  name: string;
  baseSelf: number;
  headSelf: number;
  /** self / totalWeight of the hotspot. */
  baseSelfShare: number;
  headSelfShare: number;
  deltaSelfShare: number;
}

export interface HotspotDelta {
  source: string;
  event: string;
  unit: string;
  totalWeight: NumberDelta;
  /** The functions whose self share moved most (union of both sides' top functions), biggest move first. */
  functions: FunctionShareDelta[];
}

export interface SeriesDelta {
  source: string;
  series: string;
  kind: string;
  count: NumberDelta;
  p50Ns: NumberDelta;
  p99Ns: NumberDelta;
  p999Ns: NumberDelta;
  maxNs: NumberDelta;
  baseVerdict: GcVerdict | null;
  headVerdict: GcVerdict | null;
  verdictChanged: boolean;
}

export interface GcDelta {
  cycles: NumberDelta;
  /** GC's share of CPU (gctrace's cumulative `N%`), null on a side without it. */
  baseCpuShare: number | null;
  headCpuShare: number | null;
  /** Points (head - base), null unless both are known. */
  deltaCpuShare: number | null;
}

export interface GateResult {
  verdict: 'pass' | 'fail';
  /** Human sentences with the numbers: what failed, or (on pass) what was checked. */
  reasons: string[];
}

export interface Comparison {
  base: ComparedRef;
  head: ComparedRef;
  /** All allocated bytes (heap profile alloc_space); 0 on a side without a heap profile. */
  allocBytes: NumberDelta;
  /** New, grown, gone and shrunk sites (unchanged ones are only counted), in that order, biggest change first. */
  sites: SiteDelta[];
  unchangedSites: number;
  hotspots: HotspotDelta[];
  /** Series present in both analyses. */
  latency: SeriesDelta[];
  /** Series present on one side only (`source series kind`). */
  latencyOnlyInBase: string[];
  latencyOnlyInHead: string[];
  gc: GcDelta;
  /** ESC003 findings (SPEC §3). */
  findings: Finding[];
  gate: GateResult;
  /** The thresholds the gate used (defaults merged with overrides). */
  thresholds: GateThresholds;
}
