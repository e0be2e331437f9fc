/**
 * Share links (SPEC §5): a read-only, expiring token for one analysis that a chatops bot can GET with
 * no API key. `<payload>.<mac>`, both base64url: payload `{"v":1,"t":tenant,"a":analysisId,"e":expiry}`
 * (epoch seconds), mac = HMAC-SHA256(secret, payload). Signed with the newest secret, accepted under any
 * configured one, so a secret can be rotated without breaking live links: add the new one first, drop
 * the old one once its links have expired. Pure: no I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ShareClaims {
  tenant: string;
  analysisId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type ShareCheck = { ok: true; claims: ShareClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload, 'utf8').digest();
}

export function signShareToken(claims: ShareClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, t: claims.tenant, a: claims.analysisId, e: claims.expiresAt })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyShareToken(token: string, secrets: readonly string[], nowS: number): ShareCheck {
  const m = /^([A-Za-z0-9_-]{10,1024})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, payload, sig] = m;
  // Compared as canonical text: base64url's last character carries spare bits, so decoding would
  // accept several spellings of one MAC. Every secret is tried (no early exit), each constant-time.
  const given = Buffer.from(sig!, 'utf8');
  let valid = false;
  for (const s of secrets) {
    const want = Buffer.from(mac(s, payload!).toString('base64url'), 'utf8');
    if (want.length === given.length && timingSafeEqual(want, given)) valid = true;
  }
  if (!valid) return { ok: false, reason: 'bad-signature' };
  let body: { v?: unknown; t?: unknown; a?: unknown; e?: unknown };
  try {
    body = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (body.v !== 1 || typeof body.t !== 'string' || typeof body.a !== 'string' || !Number.isSafeInteger(body.e)) {
    return { ok: false, reason: 'malformed' };
  }
  if ((body.e as number) <= nowS) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { tenant: body.t, analysisId: body.a, expiresAt: body.e as number } };
}
