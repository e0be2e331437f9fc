/**
 * Test-only fault injection for the AWS SDK clients (docs/reliability.md): a middleware that answers
 * some attempts of some calls with the failures AWS really returns — DynamoDB's ThrottlingException and
 * ProvisionedThroughputExceededException (HTTP 400, JSON), S3's SlowDown (503) and InternalError (500,
 * XML), and a connection reset (an ECONNRESET error, as Node's HTTP handler raises it) — before the request
 * leaves the process. It sits below the SDK's deserializer, so the SDK parses the fake response into its
 * real exception classes, and inside the retry loop, so every injected failure meets the retry policy of
 * shared/storage/clients.ts exactly as a real one would.
 *
 * Never part of the production wiring: tests add it to a running service's clients with
 * `injectFaults(service.stores.dynamo, 'dynamodb', plan)` (the document client shares the DynamoDB
 * client's middleware stack) and remove it with the returned `remove()`.
 */
import { Readable } from 'node:stream';

/** `throttle`: ThrottlingException / ProvisionedThroughputExceededException (DynamoDB), SlowDown 503 (S3). `server`: InternalServerError / InternalError 500. `reset`: ECONNRESET. */
export type FaultKind = 'throttle' | 'server' | 'reset';
export type Service = 'dynamodb' | 's3';

export interface FaultPlan {
  /** Outcomes of the first matching attempts, in order ('ok' lets one through); then `rate` applies. */
  sequence?: Array<FaultKind | 'ok'>;
  /** Chance (0..1) that an attempt after the sequence fails. Default 0. */
  rate?: number;
  /** The kinds `rate` draws from. Default all three. */
  kinds?: FaultKind[];
  /** Only calls of these operations (`PutItem`, `GetObject`, ...; the Command suffix is optional). Default all. */
  operations?: string[];
  /**
   * At most this many failed attempts in a row for one call, so that a call is never failed for good
   * (keep it under the client's maxAttempts). Default unlimited. The sequence ignores it.
   */
  maxConsecutive?: number;
  /** Seed of the deterministic PRNG behind `rate`. Default 1. */
  seed?: number;
}

export interface FaultStats {
  /** Attempts seen (calls × attempts) of matching operations. */
  attempts: number;
  /** Calls (not attempts) of matching operations. */
  calls: number;
  injected: Record<FaultKind, number>;
  /** Injected failures by operation, e.g. { PutItem: 3 }. */
  byOperation: Record<string, number>;
  /** Calls that failed at least once and then succeeded through the SDK's retries. */
  recovered: number;
  /** Calls whose error reached the caller (retries exhausted, or not retryable). */
  gaveUp: number;
  /** The largest number of attempts one call took. */
  maxAttemptsSeen: number;
}

/** The part of an SDK client this needs (any v3 client: S3Client, DynamoDBClient). */
export interface HasMiddlewareStack {
  middlewareStack: {
    add(mw: unknown, options: Record<string, unknown>): void;
    remove(name: string): boolean;
  };
}

let counter = 0;

/** Adds the fault middleware to `client`; returns live statistics and a way to take it out again. */
export function injectFaults(client: HasMiddlewareStack, service: Service, plan: FaultPlan): { stats: FaultStats; remove(): void } {
  const stats: FaultStats = {
    attempts: 0,
    calls: 0,
    injected: { throttle: 0, server: 0, reset: 0 },
    byOperation: {},
    recovered: 0,
    gaveUp: 0,
    maxAttemptsSeen: 0,
  };
  const random = xorshift(plan.seed ?? 1);
  const kinds = plan.kinds ?? ['throttle', 'server', 'reset'];
  const ops = plan.operations?.map((o) => o.replace(/Command$/, ''));
  const sequence = [...(plan.sequence ?? [])];
  /** Per call (the middleware context lives for one `send`, across its attempts). */
  const calls = new WeakMap<object, { consecutive: number; faults: number; attempts: number }>();
  const id = ++counter;
  const opOf = (context: Record<string, unknown>) => String(context.commandName ?? '').replace(/Command$/, '');
  const matches = (op: string) => !ops || ops.includes(op);

  // Outermost (initialize step): one per call, sees whether the call finally succeeded.
  const callName = `tracelensFaultCall${id}`;
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: Record<string, unknown>) => async (args: unknown) => {
      const op = opOf(context);
      if (!matches(op)) return next(args);
      stats.calls++;
      const state = { consecutive: 0, faults: 0, attempts: 0 };
      calls.set(context, state);
      try {
        const out = await next(args);
        if (state.faults > 0) stats.recovered++;
        return out;
      } catch (err) {
        stats.gaveUp++;
        throw err;
      } finally {
        stats.maxAttemptsSeen = Math.max(stats.maxAttemptsSeen, state.attempts);
      }
    },
    { step: 'initialize', priority: 'high', name: callName },
  );

  // Innermost (deserialize step, low priority: below the deserializer, inside the retry loop): one per attempt.
  const attemptName = `tracelensFaultAttempt${id}`;
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: Record<string, unknown>) => async (args: unknown) => {
      const op = opOf(context);
      const state = calls.get(context);
      if (!matches(op) || !state) return next(args);
      stats.attempts++;
      state.attempts++;
      let fault: FaultKind | undefined;
      if (sequence.length > 0) {
        const s = sequence.shift()!;
        fault = s === 'ok' ? undefined : s;
      } else if ((plan.maxConsecutive === undefined || state.consecutive < plan.maxConsecutive) && random() < (plan.rate ?? 0)) {
        fault = kinds[Math.floor(random() * kinds.length)]!;
      }
      if (!fault) {
        state.consecutive = 0;
        return next(args);
      }
      state.consecutive++;
      state.faults++;
      stats.injected[fault]++;
      stats.byOperation[op] = (stats.byOperation[op] ?? 0) + 1;
      if (fault === 'reset') throw connectionReset();
      return { response: fakeResponse(service, fault, stats.injected[fault]) };
    },
    { step: 'deserialize', priority: 'low', name: attemptName },
  );

  return {
    stats,
    remove() {
      client.middlewareStack.remove(callName);
      client.middlewareStack.remove(attemptName);
    },
  };
}

/** What Node's HTTP handler rejects with when the peer resets the socket. */
function connectionReset(): Error {
  const err = new Error('socket hang up (injected)') as Error & { code: string };
  err.code = 'ECONNRESET';
  return err;
}

/** The service's own error response, which the SDK's deserializer turns into its exception. */
function fakeResponse(service: Service, kind: Exclude<FaultKind, 'reset'>, n: number): FakeHttpResponse {
  if (service === 'dynamodb') {
    // DynamoDB throttles with 400 and one of two codes (on-demand tables: ThrottlingException too).
    const type =
      kind === 'throttle' ? (n % 2 ? 'ProvisionedThroughputExceededException' : 'ThrottlingException') : 'InternalServerError';
    const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `${type} (injected)` });
    return response(kind === 'throttle' ? 400 : 500, 'application/x-amz-json-1.0', body, { 'x-amzn-errortype': type });
  }
  const [status, code, message] =
    kind === 'throttle' ? [503, 'SlowDown', 'Please reduce your request rate. (injected)'] : [500, 'InternalError', 'We encountered an internal error. Please try again. (injected)'];
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>INJECTED</RequestId></Error>`;
  return response(status, 'application/xml', body, {});
}

/** The SDK's HttpResponse shape (duck-typed, as the SDK checks it: no import of @smithy internals). */
interface FakeHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Readable;
}

function response(statusCode: number, contentType: string, body: string, extra: Record<string, string>): FakeHttpResponse {
  return {
    statusCode,
    headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), 'x-amz-request-id': 'INJECTED', ...extra },
    body: Readable.from([Buffer.from(body)]),
  };
}

/** xorshift32: deterministic, so a failing run can be replayed with its seed. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}
