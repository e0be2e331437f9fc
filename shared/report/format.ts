/** Number and text formatting shared by the renderers (slack, markdown, html): one way to print a size, a duration, a share. */
import type { Report, Severity } from '../model/report.js';

/** A share (0..1) as a percentage: `0.353` → `35.3%`. */
export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A count with thousands separators: `78286` → `78,286`. */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes in binary units: `512 B`, `8.0 MiB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** A duration in nanoseconds: `12 ns`, `26.0 µs`, `1.25 ms`, `2.00 s`. */
export function ns(n: number): string {
  if (n < 1_000) return `${Math.round(n)} ns`;
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)} µs`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(2)} ms`;
  return `${(n / 1_000_000_000).toFixed(2)} s`;
}

/** A full 40-hex commit cut to 12; anything else as given. */
export function shortCommit(c: string): string {
  return /^[0-9a-f]{40}$/i.test(c) ? c.slice(0, 12) : c;
}

/** Where a report's data came from, for titles: `repo · branch · commit` (commit shortened), or '' when none is known. */
export function provenance(report: Pick<Report, 'repo' | 'branch' | 'commit'>): string {
  return [report.repo, report.branch, report.commit ? shortCommit(report.commit) : undefined].filter(Boolean).join(' · ');
}

/** Findings are listed most severe first. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
