import { int, pct } from '../format.js';
import { clip, esc, n2 } from './format.js';

/**
 * An icicle graph (root on top) of folded stacks (`frame;frame;frame weight` per line), rendered as
 * SVG on the server: the hottest stacks only (FLAME_LIMITS), frames narrower than a pixel dropped, so the
 * page stays small whatever the recording's size. Hover (the page's script) shows name, samples, share.
 */

export const FLAME_LIMITS = {
  /** The hottest stacks kept. */
  stacks: 2000,
  /** Characters of folded text kept (of the hottest stacks). */
  chars: 1_500_000,
  /** Frames narrower than this (in viewBox units of 1200) are not drawn. */
  minWidth: 0.6,
  /** Deepest frame drawn. */
  maxDepth: 80,
} as const;

export interface FlameInput {
  /** The perf event the stacks were sampled on. */
  event: string;
  /** Folded text, as served by `?format=folded`. */
  folded: string;
  /** Samples per unit of weight (perf `period` weights: samples / totalWeight); 1 when weights are samples. */
  samplesPerWeight?: number;
  /** What a weight counts (`period`, `samples`). */
  unit?: string;
}

interface Node {
  name: string;
  value: number;
  children: Map<string, Node>;
}

export interface FoldedStacks {
  stacks: Array<{ frames: string[]; weight: number }>;
  /** All stacks' weight, kept or not. */
  totalWeight: number;
  totalStacks: number;
  keptWeight: number;
}

/** Parses folded text and keeps the hottest stacks within FLAME_LIMITS. */
export function hottestStacks(folded: string, limits: { stacks: number; chars: number } = FLAME_LIMITS): FoldedStacks {
  const all: Array<{ line: string; cut: number; weight: number }> = [];
  let totalWeight = 0;
  for (const raw of folded.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cut = line.lastIndexOf(' ');
    if (cut <= 0) continue;
    const weight = Number(line.slice(cut + 1));
    if (!Number.isFinite(weight) || weight <= 0) continue;
    totalWeight += weight;
    all.push({ line, cut, weight });
  }
  all.sort((a, b) => b.weight - a.weight);
  const stacks: FoldedStacks['stacks'] = [];
  let chars = 0;
  let keptWeight = 0;
  for (const s of all) {
    if (stacks.length >= limits.stacks || chars + s.cut > limits.chars) break;
    chars += s.cut;
    keptWeight += s.weight;
    stacks.push({ frames: s.line.slice(0, s.cut).split(';'), weight: s.weight });
  }
  return { stacks, totalWeight, totalStacks: all.length, keptWeight };
}

const W = 1200;
const ROW = 18;

export function renderFlame(input: FlameInput | undefined): string {
  if (!input) return `<p class="empty" id="flame-empty">No perf stacks in this report (it needs a perf script input with call stacks): no flame graph.</p>`;
  const { stacks, totalWeight, totalStacks, keptWeight } = hottestStacks(input.folded);
  if (stacks.length === 0) return `<p class="empty" id="flame-empty">The folded stacks of ${esc(input.event)} are empty: no flame graph.</p>`;

  const root: Node = { name: 'all', value: 0, children: new Map() };
  for (const s of stacks) {
    root.value += s.weight;
    let node = root;
    for (const f of s.frames.slice(0, FLAME_LIMITS.maxDepth)) {
      let child = node.children.get(f);
      if (!child) node.children.set(f, (child = { name: f, value: 0, children: new Map() }));
      child.value += s.weight;
      node = child;
    }
  }
  const scale = W / root.value;
  const perWeight = input.samplesPerWeight ?? 1;
  const rects: string[] = [];
  let depth = 0;
  const draw = (node: Node, x0: number, level: number) => {
    const w = node.value * scale;
    if (w < FLAME_LIMITS.minWidth) return;
    depth = Math.max(depth, level);
    const share = node.value / totalWeight;
    const samples = Math.round(node.value * perWeight);
    const label = w > 24 ? clip(node.name, Math.floor((w - 6) / 6.6)) : '';
    rects.push(
      `<g class="fr" data-n="${esc(node.name)}" data-v="${samples}" data-w="${node.value}" data-s="${share.toFixed(6)}" data-d="${esc(`${int(samples)} samples · ${pct(share, 2)} of all`)}">` +
        `<rect x="${n2(x0)}" y="${level * ROW}" width="${n2(w)}" height="${ROW - 1}" fill="${color(node.name)}"/>` +
        (label ? `<text x="${n2(x0 + 3)}" y="${level * ROW + 13}">${esc(label)}</text>` : '') +
        '</g>',
    );
    let cx = x0;
    for (const c of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      draw(c, cx, level + 1);
      cx += c.value * scale;
    }
  };
  draw(root, 0, 0);
  const H = (depth + 1) * ROW;
  const note =
    `${int(stacks.length)} hottest of ${int(totalStacks)} stacks of ${input.event} (${pct(keptWeight / totalWeight)} of the weight${input.unit ? `, in ${input.unit}` : ''}); ` +
    `frames under ${pct(FLAME_LIMITS.minWidth / W, 2)} of the total are not drawn. Hover a frame for its samples.`;
  return (
    `<svg id="flame" class="chart flame" viewBox="0 0 ${W} ${H}" role="img" aria-label="Flame graph (icicle) of ${esc(input.event)}" preserveAspectRatio="xMinYMin meet">\n` +
    rects.join('\n') +
    `\n</svg>\n<p class="caption">${esc(note)}</p>`
  );
}

/** A warm color per frame, stable across renders: kernel frames orange, Go runtime yellow, the rest red-brown. */
function color(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  const jitter = h % 20;
  if (name.startsWith('runtime.') || name.startsWith('runtime/')) return `hsl(${45 + (jitter % 10)}, 85%, ${60 + (h % 8)}%)`;
  if (!name.includes('.') && !name.includes('/') && name !== 'all') return `hsl(${20 + jitter}, 80%, ${62 + (h % 8)}%)`;
  if (name === 'all') return 'hsl(0, 0%, 80%)';
  return `hsl(${(h % 15)}, 70%, ${62 + (h % 10)}%)`;
}
