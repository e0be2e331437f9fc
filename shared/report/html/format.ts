/** Escaping and number formatting shared by the HTML page's parts. Every report-derived string goes through `esc`. */

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

export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

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

export function ns(n: number): string {
  if (n < 1_000) return `${Math.round(n)} ns`;
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)} µs`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(2)} ms`;
  return `${(n / 1_000_000_000).toFixed(2)} s`;
}

export function shortCommit(c: string): string {
  return /^[0-9a-f]{40}$/i.test(c) ? c.slice(0, 12) : c;
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
