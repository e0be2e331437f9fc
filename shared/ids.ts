import { randomBytes } from 'node:crypto';

/**
 * Analysis ids: ULIDs (https://github.com/ulid/spec), 26 Crockford base32 characters, 48 bits of
 * milliseconds then 80 random bits, so ids sort by creation time. Example: `01JDQ8ZK3M7W5X2R9T4B6N8C0E`.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function newId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rand = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[rand[i]! % 32];
  return time + tail;
}

export function isId(s: string): boolean {
  return ULID_RE.test(s);
}
