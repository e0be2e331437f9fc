import type { GcVerdict } from '../../model/causality.js';
import type {
  ComparedRef,
  Comparison,
  FunctionShareDelta,
  GateThresholds,
  GcDelta,
  HotspotDelta,
  NumberDelta,
  SeriesDelta,
  SiteDelta,
} from '../../model/compare.js';
import type { AnalysisResult, EscapeSite, Finding, Hotspot, Report } from '../../model/report.js';
import { findingId, roundShare } from '../escape/findings.js';
import { commonSuffix, displayPath, pathParts, sameFile } from '../escape/paths.js';
import { evaluateGate, fmtBytes, fmtPct, fmtPoints, fmtRatio, fmtSigned, mergeThresholds, siteGateReason } from './gate.js';

/**
 * Compares two analyses (base = the baseline, head = the change under review): escape sites, hotspots,
 * latency series and GC, then ESC003 findings and the gate. Pure: no I/O, no clock, no randomness.
 *
 * Escape sites are matched by identity: the file (path suffix, so `/go/src/mapstress/main.go` and
 * `main.go` are the same file), line, column and expression. A second pass matches what is left by file,
 * line, column and the first escaping expression, so a line whose list of escaping values changed
 * (e.g. `-m` against `-m=2` output) is still the same site.
 */
export function compareReports(
  base: AnalysisResult | Report,
  head: AnalysisResult | Report,
  thresholds?: Partial<GateThresholds>,
): Comparison {
  const t = mergeThresholds(thresholds);
  const baseTotal = allocatedBytes(base);
  const headTotal = allocatedBytes(head);
  const { sites, unchanged } = compareSites(base.escapeSites, head.escapeSites, t);
  const partial: Omit<Comparison, 'gate' | 'findings'> = {
    base: ref(base),
    head: ref(head),
    allocBytes: delta(baseTotal, headTotal),
    sites,
    unchangedSites: unchanged,
    hotspots: compareHotspots(base.hotspots, head.hotspots),
    ...compareLatency(base, head),
    gc: compareGc(base, head),
    thresholds: t,
  };
  const gate = evaluateGate(partial, t);
  return { ...partial, findings: esc003Findings(sites, t), gate };
}

function ref(r: AnalysisResult | Report): ComparedRef {
  const out: ComparedRef = {};
  if ('id' in r && typeof r.id === 'string') out.id = r.id;
  if ('repo' in r && r.repo) out.repo = r.repo;
  if ('branch' in r && r.branch) out.branch = r.branch;
  if ('commit' in r && r.commit) out.commit = r.commit;
  return out;
}

export function delta(base: number, head: number): NumberDelta {
  return { base, head, delta: head - base, ratio: base === 0 ? null : (head - base) / base };
}

/**
 * All allocated bytes: the heap profiles' alloc_space totals (what escape-site shares are relative to);
 * without input summaries, derived from a site's bytes and share.
 */
export function allocatedBytes(r: AnalysisResult): number {
  let sum = 0;
  let found = false;
  for (const i of r.inputs) {
    if (i.kind !== 'pprof' || i.error) continue;
    const totals = (i.summary as { totals?: Record<string, unknown> } | undefined)?.totals;
    const v = totals?.['alloc_space/bytes'];
    if (typeof v === 'number' && Number.isFinite(v)) {
      sum += v;
      found = true;
    }
  }
  if (found) return sum;
  const s = r.escapeSites.filter((x) => x.allocShare > 0).sort((a, b) => b.allocBytes - a.allocBytes)[0];
  return s ? Math.round(s.allocBytes / s.allocShare) : 0;
}

// --- escape sites ----------------------------------------------------------------------------------

const normExpr = (e: string) => e.replace(/\s+/g, ' ').trim();
const firstExpr = (e: string) => normExpr(e).split(', ')[0] ?? '';

/** Pairs of sites that are the same site in both analyses, and the sites of each side left over. */
export function matchSites(
  base: readonly EscapeSite[],
  head: readonly EscapeSite[],
): { pairs: Array<[EscapeSite, EscapeSite]>; onlyBase: EscapeSite[]; onlyHead: EscapeSite[] } {
  const b = base.map((s) => ({ s, parts: pathParts(s.file), used: false }));
  const pairs: Array<[EscapeSite, EscapeSite]> = [];
  const left: EscapeSite[] = [];
  const pass = (sites: EscapeSite[], same: (x: EscapeSite, y: EscapeSite) => boolean): EscapeSite[] => {
    const rest: EscapeSite[] = [];
    for (const h of sites) {
      const hp = pathParts(h.file);
      let best: (typeof b)[number] | undefined;
      let bestScore = -1;
      for (const c of b) {
        if (c.used || c.s.line !== h.line || !sameFile(c.parts, hp) || !same(c.s, h)) continue;
        const score = commonSuffix(c.parts, hp);
        if (score > bestScore) [best, bestScore] = [c, score];
      }
      if (best) {
        best.used = true;
        pairs.push([best.s, h]);
      } else rest.push(h);
    }
    return rest;
  };
  const afterExact = pass([...head], (x, y) => x.column === y.column && normExpr(x.expression) === normExpr(y.expression));
  left.push(...pass(afterExact, (x, y) => x.column === y.column && firstExpr(x.expression) === firstExpr(y.expression)));
  return { pairs, onlyBase: b.filter((c) => !c.used).map((c) => c.s), onlyHead: left };
}

const STATUS_ORDER = { new: 0, grown: 1, gone: 2, shrunk: 3 } as const;

function compareSites(base: readonly EscapeSite[], head: readonly EscapeSite[], t: GateThresholds): { sites: SiteDelta[]; unchanged: number } {
  const { pairs, onlyBase, onlyHead } = matchSites(base, head);
  const out: SiteDelta[] = [];
  let unchanged = 0;
  const add = (b: EscapeSite | undefined, h: EscapeSite | undefined) => {
    const bb = b?.allocBytes ?? 0;
    const hb = h?.allocBytes ?? 0;
    if (bb === 0 && hb === 0) return;
    const status = bb === 0 ? 'new' : hb === 0 ? 'gone' : hb > bb ? 'grown' : hb < bb ? 'shrunk' : undefined;
    if (!status) {
      unchanged++;
      return;
    }
    const s = (h ?? b)!;
    const fn = h?.function ?? b?.function;
    const d: Omit<SiteDelta, 'failsGate'> = {
      status,
      file: displayPath(s.file),
      line: s.line,
      column: s.column,
      ...(fn ? { function: fn } : {}),
      expression: s.expression,
      message: s.message,
      boxing: s.boxing,
      reasons: s.reasons,
      ...(b && h && displayPath(b.file) !== displayPath(h.file) ? { baseFile: displayPath(b.file) } : {}),
      baseBytes: bb,
      headBytes: hb,
      deltaBytes: hb - bb,
      deltaRatio: bb === 0 ? null : (hb - bb) / bb,
      baseShare: b?.allocShare ?? 0,
      headShare: h?.allocShare ?? 0,
      deltaShare: (h?.allocShare ?? 0) - (b?.allocShare ?? 0),
      baseObjects: b?.allocObjects ?? 0,
      headObjects: h?.allocObjects ?? 0,
    };
    out.push({ ...d, failsGate: siteGateReason(d, t) !== null });
  };
  for (const [b, h] of pairs) add(b, h);
  for (const h of onlyHead) add(undefined, h);
  for (const b of onlyBase) add(b, undefined);
  out.sort(
    (x, y) =>
      STATUS_ORDER[x.status] - STATUS_ORDER[y.status] ||
      Math.abs(y.deltaBytes) - Math.abs(x.deltaBytes) ||
      x.file.localeCompare(y.file) ||
      x.line - y.line ||
      x.column - y.column,
  );
  return { sites: out, unchanged };
}

// --- ESC003 ----------------------------------------------------------------------------------------

/** The stable id of ESC003 at a site: rule + file (as displayed) + line + column + expression, never numbers. */
export function esc003Id(s: Pick<SiteDelta, 'file' | 'line' | 'column' | 'expression'>): string {
  return findingId('ESC003', displayPath(s.file), s.line, s.column, normExpr(s.expression));
}

function esc003Findings(sites: SiteDelta[], t: GateThresholds): Finding[] {
  const out: Finding[] = [];
  for (const s of sites) {
    const reported =
      s.failsGate ||
      (s.status === 'new' && s.headBytes >= t.reportMinBytes) ||
      (s.status === 'grown' && s.deltaBytes >= t.reportMinBytes && (s.deltaRatio === null || s.deltaRatio >= t.reportGrowthRatio));
    if (!reported) continue;
    const where = `${s.file}:${s.line}`;
    const inFn = s.function ? ` in ${s.function}` : '';
    const title =
      s.status === 'new'
        ? `New escape site ${where} allocates ${fmtBytes(s.headBytes)} (${s.expression})`
        : `Escape site ${where} grew by ${fmtBytes(s.deltaBytes)} (${fmtRatio(s.deltaRatio)}) (${s.expression})`;
    const message =
      s.status === 'new'
        ? `${s.expression} escapes to the heap at ${where}${inFn} and allocates ${fmtBytes(s.headBytes)} in ${s.headObjects.toLocaleString('en-US')} objects (${fmtPct(s.headShare)} of allocated bytes); the baseline allocated ${s.baseBytes === 0 ? 'nothing' : fmtBytes(s.baseBytes)} here. The compiler says: ${s.message}${s.reasons.length ? ` (${s.reasons.join(', ')})` : ''}.`
        : `${s.expression} at ${where}${inFn} allocates ${fmtBytes(s.headBytes)} against ${fmtBytes(s.baseBytes)} in the baseline (${fmtSigned(s.deltaBytes, fmtBytes)}, ${fmtRatio(s.deltaRatio)}; ${fmtPct(s.baseShare)} → ${fmtPct(s.headShare)} of allocated bytes, ${fmtPoints(s.deltaShare)}). The compiler says: ${s.message}${s.reasons.length ? ` (${s.reasons.join(', ')})` : ''}.`;
    out.push({
      id: esc003Id(s),
      rule: 'ESC003',
      severity: s.failsGate ? 'error' : 'warning',
      title,
      message,
      location: { file: s.file, line: s.line, column: s.column, ...(s.function ? { function: s.function } : {}) },
      evidence: {
        status: s.status,
        baseBytes: s.baseBytes,
        headBytes: s.headBytes,
        deltaBytes: s.deltaBytes,
        deltaRatio: s.deltaRatio === null ? null : roundShare(s.deltaRatio),
        baseShare: roundShare(s.baseShare),
        headShare: roundShare(s.headShare),
        deltaShare: roundShare(s.deltaShare),
        baseObjects: s.baseObjects,
        headObjects: s.headObjects,
        expression: s.expression,
        boxing: s.boxing,
        reasons: s.reasons,
        failsGate: s.failsGate,
        ...(s.baseFile ? { baseFile: s.baseFile } : {}),
      },
      recommendation: esc003Fix(s),
    });
  }
  return out;
}

/** A concrete fix for the escape, by what escapes and why (the compiler's reasons). */
export function esc003Fix(s: Pick<SiteDelta, 'expression' | 'message' | 'reasons' | 'boxing' | 'status'>): string {
  const expr = s.expression;
  const first = firstExpr(expr);
  const why = s.reasons.length ? ` (the compiler's reasons: ${s.reasons.join(', ')})` : '';
  const lead = s.status === 'new' ? 'This escape is new in this change' : 'This escape allocates more than in the baseline';
  if (/interface \{\}|\bany\b/.test(expr) && /^map\[/.test(first)) {
    return `${lead}: ${first} boxes every non-pointer element into an interface${why}. Keep the values concrete: use a struct with typed fields (e.g. \`type Event struct { Pid uint32; Comm [16]byte; Ts int64 }\`) passed by value or reused by pointer, instead of a map of interface{} built per call.`;
  }
  if (s.boxing || s.reasons.some((r) => /interface-converted|call parameter/.test(r))) {
    return `${lead}: ${expr} is converted to interface{}${why}. Avoid interface{} boxing on the hot path: keep the value concrete (concrete or generic parameter types), or pass a pointer to a reused value (a pointer converts to an interface without allocating; for cilium/ebpf \`m.Put(&key, &value)\` with fixed-size types).`;
  }
  if (/^make\(\[\]/.test(first)) {
    return `${lead}: ${first} escapes${why}. Pre-allocate it once with its final size and reuse it across iterations (or take it from a sync.Pool) instead of making a new one per call.`;
  }
  if (/^make\(map/.test(first)) {
    return `${lead}: ${first} escapes${why}. Pre-size the map once (make(map[K]V, n)) and reuse it (clear() between uses) instead of making one per call.`;
  }
  if (/^moved to heap/.test(s.message)) {
    return `${lead}: ${first} is moved to the heap${why}. Keep it on the stack: do not let its address outlive the function (return by value, pass pointers down rather than up, do not store it in a longer-lived structure).`;
  }
  return `${lead}: ${expr} escapes to the heap${why}. Return or pass it by value, hoist it out of the loop and reuse it, or pre-allocate with the final size.`;
}

// --- hotspots --------------------------------------------------------------------------------------

const TOP_FUNCTIONS = 10;

function compareHotspots(base: readonly Hotspot[], head: readonly Hotspot[]): HotspotDelta[] {
  const pairs = matchBy(base, head, (h) => `${h.source}\u0000${h.event}`, (h) => h.event);
  return pairs.map(([b, h]) => {
    const bTop = [...b.topFunctions].sort((x, y) => y.self - x.self).slice(0, TOP_FUNCTIONS);
    const hTop = [...h.topFunctions].sort((x, y) => y.self - x.self).slice(0, TOP_FUNCTIONS);
    const names = [...new Set([...bTop, ...hTop].map((f) => f.name))];
    const bSelf = new Map(b.topFunctions.map((f) => [f.name, f.self]));
    const hSelf = new Map(h.topFunctions.map((f) => [f.name, f.self]));
    const functions: FunctionShareDelta[] = names
      .map((name) => {
        const bs = bSelf.get(name) ?? 0;
        const hs = hSelf.get(name) ?? 0;
        const baseSelfShare = b.totalWeight > 0 ? bs / b.totalWeight : 0;
        const headSelfShare = h.totalWeight > 0 ? hs / h.totalWeight : 0;
        return { name, baseSelf: bs, headSelf: hs, baseSelfShare, headSelfShare, deltaSelfShare: headSelfShare - baseSelfShare };
      })
      .filter((f) => f.deltaSelfShare !== 0)
      .sort((x, y) => Math.abs(y.deltaSelfShare) - Math.abs(x.deltaSelfShare) || x.name.localeCompare(y.name))
      .slice(0, TOP_FUNCTIONS);
    return { source: h.source, event: h.event, unit: h.unit, totalWeight: delta(b.totalWeight, h.totalWeight), functions };
  });
}

/** Pairs by an exact key first, then what is left by a looser key when it is unique on both sides. */
function matchBy<T>(base: readonly T[], head: readonly T[], key: (x: T) => string, loose: (x: T) => string): Array<[T, T]> {
  const pairs: Array<[T, T]> = [];
  const bLeft = new Map<string, T>();
  for (const b of base) if (!bLeft.has(key(b))) bLeft.set(key(b), b);
  const hLeft: T[] = [];
  for (const h of head) {
    const b = bLeft.get(key(h));
    if (b !== undefined) {
      pairs.push([b, h]);
      bLeft.delete(key(h));
    } else hLeft.push(h);
  }
  const count = (xs: readonly T[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(loose(x), (m.get(loose(x)) ?? 0) + 1);
    return m;
  };
  const bRest = [...bLeft.values()];
  const bc = count(bRest);
  const hc = count(hLeft);
  for (const h of hLeft) {
    const k = loose(h);
    if (bc.get(k) !== 1 || hc.get(k) !== 1) continue;
    pairs.push([bRest.find((b) => loose(b) === k)!, h]);
  }
  return pairs;
}

// --- latency and GC --------------------------------------------------------------------------------

type Series = AnalysisResult['latency'][number];
const seriesName = (s: Series) => `${s.source} ${s.series} ${s.kind}`;

function verdictOf(s: Series): GcVerdict | null {
  return s.gc?.verdict ?? null;
}

function compareLatency(base: AnalysisResult, head: AnalysisResult): Pick<Comparison, 'latency' | 'latencyOnlyInBase' | 'latencyOnlyInHead'> {
  const pairs = matchBy(base.latency, head.latency, (s) => `${s.source}\u0000${s.series}\u0000${s.kind}`, (s) => `${s.series}\u0000${s.kind}`);
  const latency: SeriesDelta[] = pairs.map(([b, h]) => {
    const bv = verdictOf(b);
    const hv = verdictOf(h);
    return {
      source: h.source,
      series: h.series,
      kind: h.kind,
      count: delta(b.count, h.count),
      p50Ns: delta(b.p50Ns, h.p50Ns),
      p99Ns: delta(b.p99Ns, h.p99Ns),
      p999Ns: delta(b.p999Ns, h.p999Ns),
      maxNs: delta(b.maxNs, h.maxNs),
      baseVerdict: bv,
      headVerdict: hv,
      verdictChanged: bv !== hv,
    };
  });
  const pairedB = new Set(pairs.map(([b]) => b));
  const pairedH = new Set(pairs.map(([, h]) => h));
  return {
    latency,
    latencyOnlyInBase: base.latency.filter((s) => !pairedB.has(s)).map(seriesName),
    latencyOnlyInHead: head.latency.filter((s) => !pairedH.has(s)).map(seriesName),
  };
}

/** GC's share of CPU: gctrace's cumulative `N%` (the inputs' summaries, else the last cycle's), or null. */
export function gcCpuShare(r: AnalysisResult): number | null {
  let share: number | null = null;
  for (const i of r.inputs) {
    if (i.kind !== 'gctrace' || i.error) continue;
    const v = (i.summary as { gcCpuShare?: unknown } | undefined)?.gcCpuShare;
    if (typeof v === 'number' && Number.isFinite(v)) share = Math.max(share ?? 0, v);
  }
  if (share !== null) return share;
  const last = [...r.gc.cycles].reverse().find((c) => c.gcCpuPercent !== null);
  return last ? last.gcCpuPercent! / 100 : null;
}

function compareGc(base: AnalysisResult, head: AnalysisResult): GcDelta {
  const b = gcCpuShare(base);
  const h = gcCpuShare(head);
  return {
    cycles: delta(base.gc.cycles.length, head.gc.cycles.length),
    baseCpuShare: b,
    headCpuShare: h,
    deltaCpuShare: b !== null && h !== null ? h - b : null,
  };
}
