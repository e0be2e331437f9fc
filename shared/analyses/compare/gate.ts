import { z } from 'zod';
import { TraceLensError } from '../../errors.js';
import type { Comparison, GateResult, GateThresholds, SiteDelta } from '../../model/compare.js';

/**
 * The CI gate of a comparison (SPEC §5 compare: `verdict` pass/fail and its reasons).
 *
 * Thresholds merge in layers: DEFAULT_GATE_THRESHOLDS < per-repo settings (an object) < per-request
 * (query parameters, parsed by parseThresholdsQuery). The gate fails when a value reaches (>=) its
 * threshold; "grew" checks need both the relative and the absolute floor, so noise in small numbers
 * does not fail a build.
 */
const MiB = 1 << 20;

export const DEFAULT_GATE_THRESHOLDS: Readonly<GateThresholds> = Object.freeze({
  maxNewSiteBytes: MiB,
  maxNewSiteShare: 0.05,
  maxSiteGrowthRatio: 0.2,
  maxSiteGrowthBytes: MiB,
  maxTotalGrowthRatio: 0.2,
  totalGrowthFloorBytes: MiB,
  failOnGcExplains: true,
  maxP99GrowthRatio: 0.5,
  p99GrowthFloorNs: 50_000,
  latencyMinCount: 100,
  maxGcCpuShareGrowth: 0.05,
  reportMinBytes: 64 * 1024,
  reportGrowthRatio: 0.1,
});

const count = z
  .number({ error: 'expected a number' })
  .int({ error: 'expected a whole number' })
  .nonnegative({ error: 'expected a number >= 0' });
const bytes = count;
const ratio = z.number({ error: 'expected a number' }).nonnegative({ error: 'expected a ratio >= 0' });
const share = z
  .number({ error: 'expected a number' })
  .min(0, { error: 'expected a share between 0 and 1' })
  .max(1, { error: 'expected a share between 0 and 1' });

/** All thresholds (strict: unknown keys are errors). Use `.partial()` for overrides. */
export const GateThresholdsSchema = z
  .object({
    maxNewSiteBytes: bytes,
    maxNewSiteShare: share,
    maxSiteGrowthRatio: ratio,
    maxSiteGrowthBytes: bytes,
    maxTotalGrowthRatio: ratio,
    totalGrowthFloorBytes: bytes,
    failOnGcExplains: z.boolean({ error: 'expected true or false' }),
    maxP99GrowthRatio: ratio,
    p99GrowthFloorNs: count,
    latencyMinCount: count,
    maxGcCpuShareGrowth: share,
    reportMinBytes: bytes,
    reportGrowthRatio: ratio,
  })
  .strict() satisfies z.ZodType<GateThresholds>;

/** Overrides (per repo, per request): any subset of the thresholds, unknown keys rejected. */
export const GateThresholdOverridesSchema = GateThresholdsSchema.partial().strict();

export const GATE_THRESHOLD_KEYS = Object.keys(DEFAULT_GATE_THRESHOLDS) as Array<keyof GateThresholds>;

type Unit = 'bytes' | 'share' | 'ratio' | 'ns' | 'count' | 'boolean';
const UNITS: Record<keyof GateThresholds, Unit> = {
  maxNewSiteBytes: 'bytes',
  maxNewSiteShare: 'share',
  maxSiteGrowthRatio: 'ratio',
  maxSiteGrowthBytes: 'bytes',
  maxTotalGrowthRatio: 'ratio',
  totalGrowthFloorBytes: 'bytes',
  failOnGcExplains: 'boolean',
  maxP99GrowthRatio: 'ratio',
  p99GrowthFloorNs: 'ns',
  latencyMinCount: 'count',
  maxGcCpuShareGrowth: 'share',
  reportMinBytes: 'bytes',
  reportGrowthRatio: 'ratio',
};

/** Query parameters that belong to the compare route itself, not to the thresholds. */
export const COMPARE_QUERY_KEYS = ['base', 'format'] as const;

function invalid(message: string, details?: Record<string, unknown>): TraceLensError {
  return new TraceLensError('invalid_request', message, details);
}

/** Validates layered overrides and merges them over the defaults (later layers win). */
export function mergeThresholds(...layers: Array<Partial<GateThresholds> | undefined>): GateThresholds {
  let out: GateThresholds = { ...DEFAULT_GATE_THRESHOLDS };
  for (const layer of layers) {
    if (!layer) continue;
    const r = GateThresholdOverridesSchema.safeParse(layer);
    if (!r.success) {
      const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw invalid(`invalid gate thresholds: ${issues.map((i) => `${i.path || 'thresholds'}: ${i.message}`).join('; ')}`, {
        issues,
      });
    }
    out = { ...out, ...(Object.fromEntries(Object.entries(r.data).filter(([, v]) => v !== undefined)) as Partial<GateThresholds>) };
  }
  return out;
}

/**
 * Gate thresholds from query parameters (strings), e.g. `?maxNewSiteBytes=2MiB&maxP99GrowthRatio=0.3`.
 * Numbers are plain decimals; bytes may carry `B`, `KiB`, `MiB`, `GiB` (also `KB`/`MB`/`GB`, as powers of
 * 1024); ns may carry `ns`, `us`/`µs`, `ms`, `s`; shares and ratios may be written as percent (`20%`);
 * booleans are `true`/`false`/`1`/`0`. Keys in `ignore` (default: the route's own `base` and `format`)
 * are skipped; any other unknown key, or a value that does not parse or is out of range, is a 400
 * `invalid_request` naming the key, the value and what was expected.
 */
export function parseThresholdsQuery(
  query: Record<string, string | undefined>,
  ignore: readonly string[] = COMPARE_QUERY_KEYS,
): Partial<GateThresholds> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (ignore.includes(key) || raw === undefined) continue;
    if (!Object.hasOwn(UNITS, key)) {
      problems.push(`unknown threshold "${key}" (known: ${GATE_THRESHOLD_KEYS.join(', ')})`);
      continue;
    }
    const unit = UNITS[key as keyof GateThresholds];
    const v = parseValue(raw, unit);
    if (typeof v === 'string') problems.push(`${key}=${JSON.stringify(raw)}: ${v}`);
    else out[key] = v;
  }
  if (problems.length === 0) {
    const r = GateThresholdOverridesSchema.safeParse(out);
    if (r.success) return Object.fromEntries(Object.entries(r.data).filter(([, v]) => v !== undefined)) as Partial<GateThresholds>;
    for (const i of r.error.issues) problems.push(`${i.path.join('.')}=${JSON.stringify(query[String(i.path[0])])}: ${i.message}`);
  }
  throw invalid(`invalid gate thresholds in the query: ${problems.join('; ')}`, { problems });
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BYTE_UNITS: Record<string, number> = { b: 1, kib: 1024, kb: 1024, k: 1024, mib: MiB, mb: MiB, m: MiB, gib: 1024 * MiB, gb: 1024 * MiB, g: 1024 * MiB };
const NS_UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9 };

/** The value, or a description of what was expected. */
function parseValue(raw: string, unit: Unit): number | boolean | string {
  const s = raw.trim();
  if (unit === 'boolean') {
    if (/^(true|1|yes)$/i.test(s)) return true;
    if (/^(false|0|no)$/i.test(s)) return false;
    return 'expected true or false';
  }
  const m = /^(.*?)\s*([a-zA-Zµ%]*)$/.exec(s)!;
  const num = m[1]!;
  const suffix = m[2]!.toLowerCase();
  if (!NUMBER_RE.test(num)) return `expected a number${hint(unit)}`;
  let n = Number(num);
  if (!Number.isFinite(n)) return `expected a finite number${hint(unit)}`;
  if (suffix !== '') {
    const scale =
      unit === 'bytes' ? BYTE_UNITS[suffix] : unit === 'ns' ? NS_UNITS[suffix] : (unit === 'share' || unit === 'ratio') && suffix === '%' ? 0.01 : undefined;
    if (scale === undefined) return `unknown unit "${m[2]}"${hint(unit)}`;
    n *= scale;
    if (unit === 'bytes' || unit === 'ns') n = Math.round(n);
  }
  return n;
}

function hint(unit: Unit): string {
  switch (unit) {
    case 'bytes':
      return ' of bytes (e.g. 1048576 or 1MiB)';
    case 'ns':
      return ' of nanoseconds (e.g. 50000 or 50us)';
    case 'share':
      return ' between 0 and 1 (e.g. 0.05 or 5%)';
    case 'ratio':
      return ' (a ratio, e.g. 0.2 or 20%)';
    default:
      return ' (a whole number)';
  }
}

// ---------------------------------------------------------------------------------------------------

export const fmtBytes = (n: number): string => {
  const a = Math.abs(n);
  const s = n < 0 ? '-' : '';
  if (a >= 1 << 30) return `${s}${(a / (1 << 30)).toFixed(2)} GiB`;
  if (a >= MiB) return `${s}${(a / MiB).toFixed(1)} MiB`;
  if (a >= 1024) return `${s}${(a / 1024).toFixed(1)} KiB`;
  return `${s}${a} B`;
};
export const fmtNs = (ns: number): string => {
  const a = Math.abs(ns);
  const s = ns < 0 ? '-' : '';
  if (a >= 1e9) return `${s}${(a / 1e9).toFixed(2)} s`;
  if (a >= 1e6) return `${s}${(a / 1e6).toFixed(2)} ms`;
  if (a >= 1e3) return `${s}${(a / 1e3).toFixed(1)} µs`;
  return `${s}${a} ns`;
};
export const fmtPct = (x: number): string => `${(x * 100).toFixed(1)}%`;
export const fmtPoints = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} points`;
export const fmtRatio = (r: number | null): string => (r === null ? 'new' : `${r >= 0 ? '+' : ''}${(r * 100).toFixed(0)}%`);
export const fmtSigned = (n: number, f: (n: number) => string): string => `${n >= 0 ? '+' : ''}${f(n)}`;

/** Why this site alone fails the gate, or null. */
export function siteGateReason(s: Omit<SiteDelta, 'failsGate'>, t: GateThresholds): string | null {
  const where = `${s.file}:${s.line}`;
  if (s.status === 'new') {
    const byBytes = s.headBytes >= t.maxNewSiteBytes;
    const byShare = s.headShare >= t.maxNewSiteShare;
    if (!byBytes && !byShare) return null;
    const limit = [byBytes ? fmtBytes(t.maxNewSiteBytes) : '', byShare ? `${fmtPct(t.maxNewSiteShare)} of allocated bytes` : '']
      .filter(Boolean)
      .join(' and ');
    return `New escape site ${where} (${s.expression}${s.function ? ` in ${s.function}` : ''}) allocates ${fmtBytes(s.headBytes)}, ${fmtPct(s.headShare)} of allocated bytes (baseline: ${fmtBytes(s.baseBytes)}), reaching the limit of ${limit} for a new site.`;
  }
  if (s.status === 'grown') {
    if (s.deltaBytes < t.maxSiteGrowthBytes) return null;
    if (s.deltaRatio !== null && s.deltaRatio < t.maxSiteGrowthRatio) return null;
    return `Escape site ${where} (${s.expression}${s.function ? ` in ${s.function}` : ''}) grew from ${fmtBytes(s.baseBytes)} to ${fmtBytes(s.headBytes)} (${fmtSigned(s.deltaBytes, fmtBytes)}, ${fmtRatio(s.deltaRatio)}; ${fmtPct(s.baseShare)} → ${fmtPct(s.headShare)} of allocated bytes), reaching the limit of +${fmtPct(t.maxSiteGrowthRatio)} and +${fmtBytes(t.maxSiteGrowthBytes)}.`;
  }
  return null;
}

/** The gate over a comparison (everything but the gate itself). */
export function evaluateGate(c: Omit<Comparison, 'gate' | 'findings'>, t: GateThresholds): GateResult {
  const failed: string[] = [];
  const passed: string[] = [];

  // Escape sites.
  const siteReasons = c.sites.map((s) => siteGateReason(s, t)).filter((r): r is string => r !== null);
  failed.push(...siteReasons);
  if (siteReasons.length === 0) {
    const newCount = c.sites.filter((s) => s.status === 'new').length;
    const grownCount = c.sites.filter((s) => s.status === 'grown').length;
    passed.push(
      `No new escape site reaches ${fmtBytes(t.maxNewSiteBytes)} or ${fmtPct(t.maxNewSiteShare)} of allocated bytes (${newCount} new site${newCount === 1 ? '' : 's'}), and no site grew by +${fmtPct(t.maxSiteGrowthRatio)} and +${fmtBytes(t.maxSiteGrowthBytes)} (${grownCount} grew).`,
    );
  }

  // Total allocated bytes.
  const a = c.allocBytes;
  if (a.base > 0 && a.delta >= t.totalGrowthFloorBytes && a.ratio !== null && a.ratio >= t.maxTotalGrowthRatio) {
    failed.push(
      `Allocated bytes grew from ${fmtBytes(a.base)} to ${fmtBytes(a.head)} (${fmtSigned(a.delta, fmtBytes)}, ${fmtRatio(a.ratio)}), reaching the limit of +${fmtPct(t.maxTotalGrowthRatio)} (and +${fmtBytes(t.totalGrowthFloorBytes)}).`,
    );
  } else if (a.base === 0 && a.head === 0) {
    passed.push('Allocated bytes: neither analysis has a heap profile (alloc_space), nothing to compare.');
  } else if (a.base === 0) {
    passed.push(`Allocated bytes: the baseline has no heap profile; head allocated ${fmtBytes(a.head)}.`);
  } else {
    passed.push(
      `Allocated bytes went from ${fmtBytes(a.base)} to ${fmtBytes(a.head)} (${fmtRatio(a.ratio)}), under the limit of +${fmtPct(t.maxTotalGrowthRatio)} and +${fmtBytes(t.totalGrowthFloorBytes)}.`,
    );
  }

  // GC causality verdicts.
  if (t.failOnGcExplains) {
    const toGc = c.latency.filter((s) => s.headVerdict === 'gc-explains' && s.baseVerdict !== 'gc-explains');
    for (const s of toGc) {
      failed.push(
        `GC now explains the slow operations of ${s.series} (${s.kind}, ${s.source}): verdict ${s.baseVerdict ?? 'none'} → gc-explains; p99 ${fmtNs(s.p99Ns.base)} → ${fmtNs(s.p99Ns.head)}.`,
      );
    }
    if (toGc.length === 0) {
      const still = c.latency.filter((s) => s.headVerdict === 'gc-explains').length;
      passed.push(
        `No latency series went to the gc-explains verdict (${c.latency.length} series in both${still ? `, ${still} already gc-explains in the baseline` : ''}).`,
      );
    }
  }

  // p99 growth.
  const eligible = c.latency.filter((s) => s.count.base >= t.latencyMinCount && s.count.head >= t.latencyMinCount);
  const slower = eligible.filter(
    (s) => s.p99Ns.delta >= t.p99GrowthFloorNs && s.p99Ns.ratio !== null && s.p99Ns.ratio >= t.maxP99GrowthRatio,
  );
  for (const s of slower) {
    failed.push(
      `p99 of ${s.series} (${s.kind}, ${s.source}) grew from ${fmtNs(s.p99Ns.base)} to ${fmtNs(s.p99Ns.head)} (${fmtSigned(s.p99Ns.delta, fmtNs)}, ${fmtRatio(s.p99Ns.ratio)}), reaching the limit of +${fmtPct(t.maxP99GrowthRatio)} and +${fmtNs(t.p99GrowthFloorNs)}.`,
    );
  }
  if (slower.length === 0) {
    const worst = [...eligible].sort((x, y) => (y.p99Ns.ratio ?? 0) - (x.p99Ns.ratio ?? 0))[0];
    passed.push(
      `No latency p99 grew by +${fmtPct(t.maxP99GrowthRatio)} and +${fmtNs(t.p99GrowthFloorNs)} (${eligible.length} series with ≥ ${t.latencyMinCount} measurements on both sides${worst ? `; largest change ${worst.series} ${fmtNs(worst.p99Ns.base)} → ${fmtNs(worst.p99Ns.head)}, ${fmtRatio(worst.p99Ns.ratio)}` : ''}).`,
    );
  }

  // GC CPU share.
  const g = c.gc;
  if (g.deltaCpuShare !== null && g.deltaCpuShare >= t.maxGcCpuShareGrowth) {
    failed.push(
      `GC's share of CPU grew from ${fmtPct(g.baseCpuShare!)} to ${fmtPct(g.headCpuShare!)} (${fmtPoints(g.deltaCpuShare)}), reaching the limit of +${(t.maxGcCpuShareGrowth * 100).toFixed(1)} points.`,
    );
  } else if (g.deltaCpuShare !== null) {
    passed.push(
      `GC's share of CPU went from ${fmtPct(g.baseCpuShare!)} to ${fmtPct(g.headCpuShare!)} (${fmtPoints(g.deltaCpuShare)}; ${g.cycles.base} → ${g.cycles.head} GC cycles), under the limit of +${(t.maxGcCpuShareGrowth * 100).toFixed(1)} points.`,
    );
  } else {
    passed.push(`GC's share of CPU: not known on both sides (no gctrace with a CPU percentage); ${g.cycles.base} → ${g.cycles.head} GC cycles.`);
  }

  return failed.length > 0 ? { verdict: 'fail', reasons: failed } : { verdict: 'pass', reasons: passed };
}
