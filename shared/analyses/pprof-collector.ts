import type { Limits } from '../limits.js';
import type { Profile, ProfileFrame, ProfileLocation } from '../model/profile.js';
import type { AnalysisResult, Hotspot, InputSummary } from '../model/report.js';
import type { ByteSource } from '../parsers/bytes.js';
import { readProfile, sampleFrames } from '../parsers/pprof/index.js';
import type { Collector } from './collector.js';
import { DQ } from './data-quality.js';
import type { CpuStacks } from './escape/sites.js';
import { topFunctions } from './perf/hotspots.js';

/** The Go runtime keeps at most 32 frames of a heap (and block/mutex) profile stack. */
export const RUNTIME_STACK_LIMIT = 32;

export type ProfileRole = 'heap' | 'cpu' | 'other';

/**
 * pprof inputs: decoded and kept (profiles are small next to perf scripts) for the escape-site join;
 * hotspots from CPU (and other) profiles; a data-quality item when heap stacks hit the runtime's limit.
 */
export class PprofCollector implements Collector {
  readonly profiles: Array<{ name: string; role: ProfileRole; profile: Profile }> = [];

  constructor(private readonly limits: Limits) {}

  async consume(body: ByteSource, input: InputSummary): Promise<void> {
    const profile = await readProfile(body, { file: input.name, limits: this.limits });
    const role = roleOf(profile);
    this.profiles.push({ name: input.name, role, profile });
    input.summary = {
      role,
      sampleTypes: profile.sampleTypes.map((t) => `${t.type}/${t.unit}`),
      samples: profile.samples.length,
      locations: profile.locations.length,
      functions: profile.functions.length,
      ...(profile.periodType ? { period: `${profile.period} ${profile.periodType.type}/${profile.periodType.unit}` } : {}),
      ...(profile.durationNanos ? { durationNs: profile.durationNanos } : {}),
      totals: Object.fromEntries(
        profile.sampleTypes.map((t, i) => [`${t.type}/${t.unit}`, profile.samples.reduce((n, s) => n + (s.values[i] ?? 0), 0)]),
      ),
    };
  }

  /** A profile's sample expanded into frames, leaf first (inlined frames at their call sites). */
  static frames(p: Profile, sample: number): ProfileFrame[] {
    const out: ProfileFrame[] = [];
    for (const l of p.samples[sample]!.locations) for (const f of locationFrames(l)) out.push(f);
    return out;
  }

  heapProfiles(): Profile[] {
    return this.profiles.filter((p) => p.role === 'heap').map((p) => p.profile);
  }

  /** The CPU profiles' stacks, for allocator CPU; undefined when there is no CPU profile. */
  cpuStacks(): CpuStacks | undefined {
    const cpu = this.profiles.filter((p) => p.role === 'cpu');
    if (cpu.length === 0) return undefined;
    const out: CpuStacks = { source: 'pprof', total: 0, stacks: [] };
    for (const { profile } of cpu) {
      const ix = valueIndex(profile);
      for (let i = 0; i < profile.samples.length; i++) {
        const weight = profile.samples[i]!.values[ix] ?? 0;
        out.total += weight;
        out.stacks.push({ frames: PprofCollector.frames(profile, i), weight });
      }
    }
    return out;
  }

  finish(result: AnalysisResult): void {
    for (const { name, role, profile } of this.profiles) {
      if (role !== 'heap') result.hotspots.push(hotspot(name, profile));
      if (role === 'heap' && profile.samples.some((s) => s.locations.length >= RUNTIME_STACK_LIMIT)) {
        const n = profile.samples.filter((s) => s.locations.length >= RUNTIME_STACK_LIMIT).length;
        result.dataQuality.push({
          rule: DQ.truncatedHeapStacks,
          severity: 'warning',
          input: name,
          message: `${name}: ${n} heap profile stacks reach the runtime's ${RUNTIME_STACK_LIMIT}-frame limit; their outer callers are cut off, so callee bytes of escape sites high in those stacks are undercounted`,
        });
      }
    }
  }
}

const expanded = new WeakMap<ProfileLocation, ProfileFrame[]>();

/** Locations are shared by many samples: expand each once. */
function locationFrames(l: ProfileLocation): ProfileFrame[] {
  let f = expanded.get(l);
  if (!f) {
    f = sampleFrames(l);
    expanded.set(l, f);
  }
  return f;
}

/** heap: alloc_space/inuse_space; cpu: cpu/nanoseconds (or samples/count with a CPU period type). */
function roleOf(p: Profile): ProfileRole {
  const types = p.sampleTypes.map((t) => t.type);
  if (types.includes('alloc_space') || types.includes('inuse_space')) return 'heap';
  if (types.includes('cpu') || p.periodType?.type === 'cpu') return 'cpu';
  return 'other';
}

/** The value hotspots weigh by: the default sample type, else the last (pprof's convention). */
function valueIndex(p: Profile): number {
  if (p.defaultSampleType >= 0 && p.defaultSampleType < p.sampleTypes.length) return p.defaultSampleType;
  return Math.max(0, p.sampleTypes.length - 1);
}

function hotspot(source: string, p: Profile): Hotspot {
  const ix = valueIndex(p);
  const type = p.sampleTypes[ix];
  const stacks = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const w = p.samples[i]!.values[ix] ?? 0;
    if (w === 0) continue;
    total += w;
    const names = PprofCollector.frames(p, i).map((f) => f.function.replace(/;/g, ':'));
    const key = names.reverse().join(';');
    stacks.set(key, (stacks.get(key) ?? 0) + w);
  }
  return {
    source,
    event: type ? `${type.type}/${type.unit}` : 'samples',
    unit: type?.unit ?? 'count',
    samples: p.samples.length,
    totalWeight: total,
    topFunctions: topFunctions(stacks),
  };
}
