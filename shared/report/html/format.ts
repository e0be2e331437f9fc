/** Escaping, clipping and SVG numbers for the HTML page's parts (sizes, durations, shares: ../format.ts). Every report-derived string goes through `esc`. */

/** Escapes text for HTML element content and quoted attribute values (& < > " '). */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Cuts to at most `max` characters with an ellipsis (before escaping), never inside a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A number for an SVG coordinate: two decimals, no exponent. */
export function n2(x: number): string {
  return (Math.round(x * 100) / 100).toString();
}

/** Nice round ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** Decades (10^k ns) within [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(Math.max(lo, 1))); 10 ** k <= hi; k++) if (10 ** k >= lo) out.push(10 ** k);
  return out;
}
