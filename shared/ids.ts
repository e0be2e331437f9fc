import { randomBytes } from 'node:crypto';

/**
 * Analysis ids: ULIDs (https://github.com/ulid/spec), 26 Crockford base32 characters, 48 bits of
 * milliseconds then 80 random bits, so ids sort by creation time. Example: `01JDQ8ZK3M7W5X2R9T4B6N8C0E`.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let lastTime = -1;
let lastTail: number[] = [];

/**
 * A new ULID. Monotonic within this process (the spec's monotonic variant): a second id in the same
 * millisecond is the previous one's random part plus one, so ids made one after the other sort in that
 * order (newest-first listings stay stable).
 */
export function newId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let tail: number[];
  if (now === lastTime) {
    tail = [...lastTail];
    let i = tail.length - 1;
    while (i >= 0 && tail[i] === 31) tail[i--] = 0;
    if (i >= 0) tail[i]!++;
  } else {
    const rand = randomBytes(16);
    // The first digit stays below 16, leaving room to increment without overflowing the 80 bits.
    tail = [...rand].map((b, i) => (i === 0 ? b % 16 : b % 32));
  }
  lastTime = now;
  lastTail = tail;
  return time + tail.map((d) => CROCKFORD[d]).join('');
}

export function isId(s: string): boolean {
  return ULID_RE.test(s);
}
