/**
 * API keys (SPEC §5): `tlk_<id>_<secret>`, e.g. `tlk_k7m2q9x4c1vd_3oV0...` — a public id (12 base32
 * characters: the key's name in the table and in logs) and a secret (32 random bytes, base64url). Only
 * the SHA-256 of the secret is stored; a presented key is checked by looking its id up and comparing
 * hashes in constant time. Pure: no I/O.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const KEY_RE = /^tlk_([a-z2-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedKey {
  keyId: string;
  secret: string;
}

export function generateKey(): { key: string; keyId: string; secretHash: string } {
  const idBytes = randomBytes(12);
  let keyId = '';
  for (const b of idBytes) keyId += ALPHABET[b % ALPHABET.length];
  const secret = randomBytes(32).toString('base64url');
  return { key: `tlk_${keyId}_${secret}`, keyId, secretHash: hashSecret(secret) };
}

/** The id and secret of a key as presented, or undefined when it is not shaped like one of ours. */
export function parseKey(key: string): ParsedKey | undefined {
  const m = KEY_RE.exec(key.trim());
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `admin` holds every scope. */
export function hasScope(scopes: readonly string[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

export function parseScopes(text: string): Scope[] {
  const out: Scope[] = [];
  for (const s of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(SCOPES as readonly string[]).includes(s)) throw new RangeError(`unknown scope "${s}": scopes are ${SCOPES.join(', ')}`);
    if (!out.includes(s as Scope)) out.push(s as Scope);
  }
  if (out.length === 0) throw new RangeError(`no scopes: give some of ${SCOPES.join(', ')}`);
  return out;
}
