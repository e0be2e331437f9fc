import type { Context, MiddlewareHandler } from 'hono';
import { TraceLensError } from '../errors.js';
import type { AppEnv } from './deps.js';

/**
 * Token-bucket rate limiting in the app (SPEC §5: 429): a bucket per API key for authenticated requests,
 * a bucket per client IP for everything else (no key, a wrong key, share links, /docs). A refused request
 * gets the SPEC error body, `Retry-After` (whole seconds until a token is back) and the RateLimit headers.
 *
 * The buckets live in the process: on Lambda each warm instance counts on its own, so this bounds one
 * key's share of an instance (a runaway CI loop, a key brute-force) rather than a global quota. The
 * global ceiling on AWS is the API Gateway stage's throttling (infra: throttleRateLimit/BurstLimit,
 * default 50 req/s, burst 100), which answers 429 before a Lambda runs.
 */
export interface Bucket {
  /** Tokens added per second (the sustained request rate). */
  ratePerSec: number;
  /** Bucket size (the burst allowed after a quiet spell). */
  burst: number;
}

export interface RateLimitOptions {
  /** Per API key. Default 50/s, burst 200: above what the CLI and CI bots do, below a runaway loop. */
  perKey?: Bucket;
  /** Per client IP, for requests without a valid key. Default 20/s, burst 100. */
  perIp?: Bucket;
  /** The client address; default: the socket's remote address (Node) or API Gateway's sourceIp (Lambda). */
  clientIp?: (c: Context<AppEnv>) => string | undefined;
  /** Buckets kept at most (least recently used dropped first): spraying addresses cannot exhaust memory. Default 10 000. */
  maxBuckets?: number;
  now?: () => number;
}

export const DEFAULT_PER_KEY: Bucket = { ratePerSec: 50, burst: 200 };
export const DEFAULT_PER_IP: Bucket = { ratePerSec: 20, burst: 100 };

/** Buckets by name, refilled lazily on each take. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly bucket: Bucket,
    private readonly maxBuckets: number,
    private readonly now: () => number,
  ) {
    if (!(bucket.ratePerSec > 0) || !(bucket.burst >= 1)) throw new RangeError('a bucket needs ratePerSec > 0 and burst >= 1');
  }

  /** Takes a token: 0 when one was there, else the seconds until one will be. */
  take(name: string): { waitSeconds: number; remaining: number } {
    const t = this.now();
    const b = this.refill(name, t);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { waitSeconds: 0, remaining: Math.floor(b.tokens) };
    }
    return { waitSeconds: (1 - b.tokens) / this.bucket.ratePerSec, remaining: 0 };
  }

  /** True when a take would be refused now (takes nothing). */
  empty(name: string): boolean {
    return this.refill(name, this.now()).tokens < 1;
  }

  private refill(name: string, t: number) {
    let b = this.buckets.get(name);
    if (b) {
      this.buckets.delete(name); // re-inserted below: Map order is the LRU order
      b.tokens = Math.min(this.bucket.burst, b.tokens + ((t - b.at) / 1000) * this.bucket.ratePerSec);
      b.at = t;
    } else {
      b = { tokens: this.bucket.burst, at: t };
      if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(name, b);
    return b;
  }
}

function refuse(c: Context<AppEnv>, bucket: Bucket, waitSeconds: number, who: string): never {
  const retryAfter = Math.max(1, Math.ceil(waitSeconds));
  c.header('Retry-After', String(retryAfter));
  c.header('RateLimit-Policy', `${bucket.burst};w=${Math.ceil(bucket.burst / bucket.ratePerSec)}`);
  throw new TraceLensError('rate_limited', `too many requests ${who}; retry after ${retryAfter} s`, {
    retryAfterSeconds: retryAfter,
    ratePerSec: bucket.ratePerSec,
    burst: bucket.burst,
  });
}

/** The client's address from the runtime's binding: Node's socket, or the Lambda event's requestContext. */
export function defaultClientIp(c: Context<AppEnv>): string | undefined {
  const env = c.env as
    | { incoming?: { socket?: { remoteAddress?: string } }; event?: { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } } }
    | undefined;
  return (
    env?.incoming?.socket?.remoteAddress ??
    env?.event?.requestContext?.http?.sourceIp ??
    env?.event?.requestContext?.identity?.sourceIp
  );
}

/**
 * Two middlewares: `beforeAuth` (every route but /healthz) limits by IP the requests that carry no
 * bearer credential, and refuses a bearer request outright while its IP's bucket is empty of the
 * failures it has already spent (so guessing keys is throttled); `afterAuth` (authenticated /v1 routes)
 * limits by key id.
 */
export function rateLimiter(o: RateLimitOptions = {}) {
  const perKey = o.perKey ?? DEFAULT_PER_KEY;
  const perIp = o.perIp ?? DEFAULT_PER_IP;
  const now = o.now ?? Date.now;
  const keys = new TokenBuckets(perKey, o.maxBuckets ?? 10_000, now);
  const ips = new TokenBuckets(perIp, o.maxBuckets ?? 10_000, now);
  const ipOf = (c: Context<AppEnv>) => (o.clientIp ?? defaultClientIp)(c) ?? 'unknown';

  const beforeAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.path === '/healthz') return next();
    const ip = ipOf(c);
    const bearer = /^Bearer\s+\S/i.test(c.req.header('authorization') ?? '');
    if (!bearer) {
      const { waitSeconds } = ips.take(ip);
      if (waitSeconds > 0) refuse(c, perIp, waitSeconds, 'from this address without an API key');
      return next();
    }
    if (ips.empty(ip)) refuse(c, perIp, ips.take(ip).waitSeconds, 'with invalid API keys from this address');
    await next();
    if (c.res.status === 401) ips.take(ip);
  };

  const afterAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
    const keyId = c.get('keyId');
    if (keyId) {
      const { waitSeconds, remaining } = keys.take(keyId);
      if (waitSeconds > 0) refuse(c, perKey, waitSeconds, 'for this API key');
      c.header('RateLimit-Remaining', String(remaining));
    }
    await next();
  };

  return { beforeAuth, afterAuth };
}
