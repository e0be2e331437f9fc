import assert from 'node:assert/strict';
import { it } from 'node:test';
import { signShareToken, verifyShareToken } from './share-tokens.js';

const claims = { tenant: 'acme', analysisId: '01M87W64RN2ZVCXFDHA5HEMBB9', expiresAt: 2_000_000_000 };

it('verifies its own tokens, under a rotated secret list too', () => {
  const t = signShareToken(claims, 'old');
  assert.deepEqual(verifyShareToken(t, ['old'], 1_900_000_000), { ok: true, claims });
  assert.deepEqual(verifyShareToken(t, ['new', 'old'], 1_900_000_000), { ok: true, claims });
  assert.deepEqual(verifyShareToken(t, ['new'], 1_900_000_000), { ok: false, reason: 'bad-signature' });
});

it('refuses expired, tampered and forged tokens', () => {
  const t = signShareToken(claims, 's');
  assert.equal(verifyShareToken(t, ['s'], 2_000_000_000).ok, false);
  assert.deepEqual(verifyShareToken(t, ['s'], 2_000_000_001), { ok: false, reason: 'expired' });
  // Another tenant's analysis in the payload, the old signature kept.
  const [, sig] = t.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ v: 1, t: 'other', a: claims.analysisId, e: claims.expiresAt })).toString('base64url');
  assert.deepEqual(verifyShareToken(`${forgedPayload}.${sig}`, ['s'], 1), { ok: false, reason: 'bad-signature' });
  // A later expiry, signed with a guessed secret.
  assert.deepEqual(verifyShareToken(signShareToken({ ...claims, expiresAt: 3e9 }, 'guess'), ['s'], 1), { ok: false, reason: 'bad-signature' });
  // One flipped character of the MAC.
  const flipped = t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
  assert.equal(verifyShareToken(flipped, ['s'], 1).ok, false);
  for (const bad of ['', 'x', 'a.b', `${t}.x`, t.replace('.', '')]) assert.deepEqual(verifyShareToken(bad, ['s'], 1), { ok: false, reason: 'malformed' });
});
