import type { Finding, Report, Severity } from '../model/report.js';

/**
 * A report's findings as SARIF 2.1.0 (SPEC §5 `format=sarif`), for code-scanning UIs (GitHub, Azure DevOps,
 * IDE viewers): one run of the TraceLens driver, one rule per rule id that occurs, one result per finding.
 *
 * - `partialFingerprints["traceLensFindingId/v1"]` is the finding's stable id (same rule, same place, same id).
 * - Locations: a finding's file becomes `physicalLocation.artifactLocation` — relative paths as given with
 *   `uriBaseId: "SRCROOT"`, absolute paths as `file://` URIs — with `region.startLine`/`startColumn` when known;
 *   a finding with only a function gets a `logicalLocation`; one with neither has no locations (valid SARIF).
 * - The evidence numbers, title and recommendation go in each result's property bag.
 * Validated against the OASIS schema in sarif.test.ts (test/fixtures/sarif/).
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = 'SRCROOT';
/** partialFingerprints key; bump the version if the id's derivation ever changes. */
export const FINGERPRINT_KEY = 'traceLensFindingId/v1';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifMessage {
  text: string;
}
export interface SarifReportingDescriptor {
  id: string;
  name?: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  defaultConfiguration: { level: SarifLevel };
  properties?: Record<string, unknown>;
}
export interface SarifLogicalLocation {
  name?: string;
  fullyQualifiedName?: string;
  kind?: string;
}
export interface SarifLocation {
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn?: number };
  };
  logicalLocations?: SarifLogicalLocation[];
}
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  partialFingerprints: Record<string, string>;
  locations?: SarifLocation[];
  hostedViewerUri?: string;
  properties: Record<string, unknown>;
}
export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
}
export interface SarifInvocation {
  executionSuccessful: boolean;
  startTimeUtc?: string;
  endTimeUtc?: string;
  toolExecutionNotifications?: SarifNotification[];
}
export interface SarifRun {
  tool: {
    driver: {
      name: 'TraceLens';
      informationUri?: string;
      rules: SarifReportingDescriptor[];
    };
  };
  invocations: SarifInvocation[];
  results: SarifResult[];
  properties: Record<string, unknown>;
}
export interface SarifLog {
  $schema: typeof SARIF_SCHEMA_URI;
  version: '2.1.0';
  runs: [SarifRun];
}

export interface SarifOptions {
  /** The report's page; set as each result's `hostedViewerUri` and in the run's properties when absolute. */
  reportUrl?: string;
}

/** SPEC §3's catalog: what each rule looks for. Unknown rules fall back to their first finding's title. */
const RULES: Record<string, { name: string; short: string; full: string }> = {
  ESC001: {
    name: 'CostlyEscapeSite',
    short: 'An escape site holds a large share of allocated bytes or objects.',
    full: 'A source line where values escape to the heap accounts for a large share of the bytes or objects the heap profile (alloc_space/alloc_objects) records.',
  },
  ESC002: {
    name: 'InterfaceBoxing',
    short: 'Interface boxing on an allocation-heavy path.',
    full: 'Values are converted to interfaces (boxed) on a path that allocates heavily; every conversion of a non-pointer value allocates.',
  },
  ESC003: {
    name: 'EscapeSiteRegression',
    short: 'An escape site is new or grew against the baseline.',
    full: 'An escape site that was absent from the baseline analysis, or allocates more than it did there.',
  },
  BPF001: {
    name: 'BpfCommandTailLatency',
    short: 'Tail latency of a bpf() command.',
    full: 'The tail (p99, p99.9, max) of a bpf() syscall command such as BPF_MAP_UPDATE_ELEM is far above its median.',
  },
  BPF002: {
    name: 'BpfMapMarshalling',
    short: 'eBPF binding-library marshalling allocations on map operations.',
    full: 'A map operation of an eBPF binding library (cilium/ebpf, libbpfgo, gobpf) allocates on every call to marshal or box keys and values.',
  },
  GC001: {
    name: 'GcExplainsLatency',
    short: 'Slow operations are enriched in GC windows.',
    full: 'Operations at or above the p99 of a latency series overlap GC cycles more often than chance allows (lift and significance over thresholds).',
  },
  GC002: { name: 'GcCpuShare', short: 'GC takes a large share of CPU.', full: 'The garbage collector takes a large share of the CPU time of the program.' },
  GC003: {
    name: 'MarkAssists',
    short: 'Mark assists dominate GC CPU.',
    full: 'Mark assists, paid by allocating goroutines, dominate the CPU time of GC; the finding names the allocating functions that pay them.',
  },
  GC004: { name: 'StwPauses', short: 'Stop-the-world pauses above threshold.', full: 'GC stop-the-world pauses exceed the threshold.' },
  SCHED001: {
    name: 'RunQueueDelay',
    short: "Run-queue delay of the program's threads.",
    full: "The program's threads wait to run after being woken; the finding says how much of the delay overlaps GC.",
  },
  MEM001: {
    name: 'FreshMappingFaults',
    short: 'Page faults in freshly mapped regions.',
    full: 'Page faults in memory regions mapped shortly before (eBPF JIT images, ring buffers), paid on first touch.',
  },
};

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };
const LEVEL_RANK: Record<SarifLevel, number> = { error: 3, warning: 2, note: 1, none: 0 };

export function renderSarif(report: Report, opts: SarifOptions = {}): SarifLog {
  const reportUrl = opts.reportUrl && isAbsoluteUri(opts.reportUrl) ? opts.reportUrl : undefined;
  const rules: SarifReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of report.findings) {
    const i = ruleIndex.get(f.rule);
    if (i === undefined) {
      ruleIndex.set(f.rule, rules.length);
      rules.push(ruleDescriptor(f));
    } else if (LEVEL_RANK[LEVEL[f.severity]] > LEVEL_RANK[rules[i]!.defaultConfiguration.level]) {
      rules[i]!.defaultConfiguration.level = LEVEL[f.severity];
    }
  }

  const results = report.findings.map((f): SarifResult => {
    const locations = locationsOf(f);
    return {
      ruleId: f.rule,
      ruleIndex: ruleIndex.get(f.rule)!,
      level: LEVEL[f.severity],
      message: { text: `${f.message}${f.recommendation ? `\n\nRecommendation: ${f.recommendation}` : ''}` },
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      ...(locations.length > 0 ? { locations } : {}),
      ...(reportUrl ? { hostedViewerUri: reportUrl } : {}),
      properties: { title: f.title, severity: f.severity, recommendation: f.recommendation, evidence: f.evidence },
    };
  });

  const invocation: SarifInvocation = {
    executionSuccessful: report.status === 'complete',
    ...(report.startedAt ? { startTimeUtc: report.startedAt } : {}),
    ...(report.completedAt ? { endTimeUtc: report.completedAt } : {}),
  };
  const notifications: SarifNotification[] = [];
  if (report.status === 'failed') notifications.push({ level: 'error', message: { text: report.error ?? 'The analysis failed.' } });
  if (report.status === 'pending' || report.status === 'running') {
    notifications.push({ level: 'note', message: { text: `The analysis is ${report.status}; results are not available yet.` } });
  }
  for (const d of report.dataQuality) notifications.push({ level: LEVEL[d.severity], message: { text: `${d.rule}: ${d.message}` } });
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;

  const properties: Record<string, unknown> = {
    reportId: report.id,
    status: report.status,
    createdAt: report.createdAt,
    ...(report.repo !== undefined ? { repo: report.repo } : {}),
    ...(report.branch !== undefined ? { branch: report.branch } : {}),
    ...(report.commit !== undefined ? { commit: report.commit } : {}),
    ...(Object.keys(report.labels).length > 0 ? { labels: report.labels } : {}),
    ...(reportUrl ? { reportUrl } : {}),
  };

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'TraceLens', rules } }, invocations: [invocation], results, properties }],
  };
}

function ruleDescriptor(f: Finding): SarifReportingDescriptor {
  const known = RULES[f.rule] ?? (f.rule.startsWith('DQ') ? { name: 'DataQuality', short: 'A data-quality problem in the inputs.', full: 'The inputs of the analysis have a problem that limits what it can say.' } : undefined);
  return {
    id: f.rule,
    ...(known ? { name: known.name } : {}),
    shortDescription: { text: known?.short ?? f.title },
    fullDescription: { text: known?.full ?? f.message },
    help: { text: f.recommendation || known?.full || f.title },
    defaultConfiguration: { level: LEVEL[f.severity] },
  };
}

function locationsOf(f: Finding): SarifLocation[] {
  const loc = f.location;
  if (!loc) return [];
  const logical: SarifLogicalLocation[] | undefined = loc.function
    ? [{ name: shortFunctionName(loc.function), fullyQualifiedName: loc.function, kind: 'function' }]
    : undefined;
  if (loc.file) {
    const region = loc.line && loc.line >= 1 ? { startLine: loc.line, ...(loc.column && loc.column >= 1 ? { startColumn: loc.column } : {}) } : undefined;
    return [
      {
        physicalLocation: { artifactLocation: artifactLocation(loc.file), ...(region ? { region } : {}) },
        ...(logical ? { logicalLocations: logical } : {}),
      },
    ];
  }
  return logical ? [{ logicalLocations: logical }] : [];
}

/** Relative paths stay relative to SRCROOT; absolute ones (POSIX or Windows) become file:// URIs. */
export function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  const path = file.replace(/\\/g, '/');
  if (path.startsWith('/')) return { uri: `file://${encodePath(path)}` };
  if (/^[A-Za-z]:\//.test(path)) return { uri: `file:///${path.slice(0, 2)}${encodePath(path.slice(2))}` };
  return { uri: encodePath(path.replace(/^\.\//, '')), uriBaseId: SRCROOT };
}

/** A path as a URI reference: spaces, `%`, non-ASCII, `?` and `#` percent-encoded; `/`, `@` and the like kept. */
function encodePath(p: string): string {
  return encodeURI(p).replace(/[?#]/g, (c) => encodeURIComponent(c));
}

/** `github.com/cilium/ebpf.(*Map).Put` → `(*Map).Put`; `main.boxed` → `boxed`. */
function shortFunctionName(fn: string): string {
  const afterSlash = fn.slice(fn.lastIndexOf('/') + 1);
  const dot = afterSlash.indexOf('.');
  return dot >= 0 && dot < afterSlash.length - 1 ? afterSlash.slice(dot + 1) : fn;
}

function isAbsoluteUri(s: string): boolean {
  try {
    return new URL(s).protocol.length > 1;
  } catch {
    return false;
  }
}
