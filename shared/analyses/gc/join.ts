import type { GcCausality } from '../../model/causality.js';
import type { Manifest } from '../../model/manifest.js';
import type { AnalysisResult } from '../../model/report.js';
import { DQ } from '../data-quality.js';
import type { PerfScriptCollector } from '../perf/perf-script-collector.js';
import { alignGc, windowsOnPerfClock } from './alignment.js';
import { gcCausality } from './causality.js';
import { sampleOperations } from './timeline-points.js';
import type { Artifacts } from '../collector.js';
import type { TimelinePoints, TimelineSeriesPoints } from '../../model/timeline.js';

/**
 * GC cycles onto the perf clock, then each latency series against the GC windows (SPEC §2). With a
 * weak alignment (exec or first sample only) no causality is claimed: a data-quality item says why and
 * every series gets `insufficient-data`. The operations the page's timeline plots go to `artifacts.timeline`.
 */
export function joinGc(result: AnalysisResult, perf: PerfScriptCollector, manifest: Manifest | undefined, artifacts?: Artifacts): void {
  const cycles = result.gc.cycles;
  if (cycles.length === 0) return;
  const activity = perf.gcActivity();
  const alignment = alignGc({ cycles, ...(manifest?.clock ? { anchors: manifest.clock.anchors } : {}), ...(activity ? { activity } : {}) });
  result.gc.alignment = alignment;
  if (result.latency.length === 0) return;

  if (alignment.confidence === 'low' || alignment.confidence === 'none') {
    const why =
      alignment.confidence === 'none'
        ? 'GC cycles could not be placed on the perf clock (no manifest anchors, no GC activity in perf, no exec of the program)'
        : `GC cycles are placed on the perf clock only by the program's ${alignment.method === 'exec' ? 'exec' : 'first sample'}, which is not precise enough to relate GC windows to operations of a few microseconds`;
    result.dataQuality.push({
      rule: DQ.weakClockAlignment,
      severity: 'warning',
      message: `${why}; no GC causality is asserted. Add clock anchors to manifest.json (\`clock.anchors\`) or record with call graphs so perf sees the runtime's GC functions.`,
    });
    for (const l of result.latency) l.gc = { verdict: 'insufficient-data', verdictReason: why };
    return;
  }

  const windows = windowsOnPerfClock(cycles, alignment);
  const plotted: Array<TimelineSeriesPoints & { explains: boolean }> = [];
  for (const l of result.latency) {
    const events = perf.latencyOf(l.source)?.events(l.series, l.kind) ?? [];
    const startNs = new Float64Array(events.length);
    const durationNs = new Float64Array(events.length);
    for (let i = 0; i < events.length; i++) {
      startNs[i] = Number(events[i]!.startNs);
      durationNs[i] = events[i]!.durationNs;
    }
    const gc = (l.gc = gcCausality({ windows, events: { startNs, durationNs } }) satisfies GcCausality);
    if (l.kind !== 'runqueue' && events.length > 0) {
      const kept = sampleOperations({ startNs, durationNs }, gc.p99.thresholdNs, TIMELINE_POINTS_PER_SERIES);
      plotted.push({ series: l.series, kind: l.kind, count: events.length, slowNs: gc.p99.thresholdNs, ...kept, explains: gc.verdict === 'gc-explains' });
    }
  }
  if (artifacts && plotted.length > 0) {
    // The series the page plots come first (GC-explained, then the busiest), as it orders them.
    plotted.sort((a, b) => Number(b.explains) - Number(a.explains) || b.count - a.count);
    const timeline: TimelinePoints = { version: 1, series: plotted.slice(0, TIMELINE_SERIES).map(({ explains: _, ...p }) => p) };
    artifacts.timeline = JSON.stringify(timeline);
  }
}

/** Operations kept per series for the page's timeline, and how many series: a few hundred KB of page at most. */
export const TIMELINE_POINTS_PER_SERIES = 600;
const TIMELINE_SERIES = 8;
