/**
 * `manifest.json` (SPEC §1), e.g.
 *   {"repo":"acme/probe","branch":"main","commit":"abc123","binary":"mapstress",
 *    "clock":{"anchors":[{"perfSeconds":512.075,"goSeconds":0.0}]}}
 * Every field is optional; a field of the wrong type is dropped with a warning, never fatal.
 */
import { z } from 'zod';
import { MalformedInputError } from '../errors.js';
import type { Manifest } from '../model/manifest.js';
import { collect, type ByteSource } from './bytes.js';

/** A manifest is a few hundred bytes; anything past this is not one. */
export const MAX_MANIFEST_BYTES = 1 << 20;

const text = z.string().min(1).max(512);
const FIELDS = {
  repo: text,
  branch: text,
  commit: text,
  goVersion: text,
  binary: text,
  labels: z.record(z.string().max(64), z.string().max(512)),
  clock: z.object({
    anchors: z.array(z.object({ perfSeconds: z.number().finite().nonnegative(), goSeconds: z.number().finite().nonnegative() })).max(10_000),
  }),
} as const;

export async function parseManifest(source: ByteSource, opts: { file: string }): Promise<{ manifest: Manifest; warnings: string[] }> {
  const bytes = await collect(limited(source, opts.file));
  let raw: unknown;
  const json = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  try {
    raw = JSON.parse(json);
  } catch (err) {
    const at = jsonErrorIndex(json);
    throw new MalformedInputError({ file: opts.file, byteOffset: utf8Length(json, at) }, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MalformedInputError({ file: opts.file, byteOffset: 0 }, 'a manifest is a JSON object');
  }
  const manifest: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const schema = FIELDS[key as keyof typeof FIELDS];
    if (!schema) {
      warnings.push(`unknown field "${key}" ignored`);
      continue;
    }
    const r = schema.safeParse(value);
    if (r.success) manifest[key] = r.data;
    else warnings.push(`field "${key}" ignored: ${r.error.issues.map((i) => `${i.path.join('.') || key}: ${i.message}`).join('; ')}`);
  }
  return { manifest: manifest as Manifest, warnings };
}

async function* limited(source: ByteSource, file: string): ByteSource {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.byteLength;
    if (n > MAX_MANIFEST_BYTES) throw new MalformedInputError({ file, byteOffset: MAX_MANIFEST_BYTES }, `a manifest is under ${MAX_MANIFEST_BYTES} bytes`);
    yield chunk;
  }
}

/** Where JSON.parse fails, from its message ("at position N"; "Unexpected end" is the end), or undefined. */
function failIndex(text: string): number | undefined | null {
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    const m = / at position (\d+)/.exec((err as Error).message);
    if (m) return Number(m[1]);
    if (/Unexpected end of JSON input/.test((err as Error).message)) return text.length;
    return undefined;
  }
}

/**
 * The index of the character JSON.parse stumbles on. V8 names it in most messages; for the rest
 * (`Unexpected token 'x', "..." is not valid JSON`) it is found as the end of the longest prefix that
 * still reads as the start of a JSON text (whose own error, if any, is at its end): a binary search.
 */
function jsonErrorIndex(text: string): number {
  const direct = failIndex(text);
  if (typeof direct === 'number') return direct;
  const viable = (k: number) => {
    const f = failIndex(text.slice(0, k));
    return f === null || f === k;
  };
  let lo = 0; // viable (the empty prefix fails at its end)
  let hi = text.length; // not viable
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (viable(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The UTF-8 length of text.slice(0, end). */
function utf8Length(text: string, end: number): number {
  return new TextEncoder().encode(text.slice(0, end)).length;
}
