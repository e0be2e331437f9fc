import { TraceLensError, type ErrorCode } from '../errors.js';
import { UsageError } from './io.js';

/** Where the server is when neither --server nor TRACELENS_URL says: the local service's default (`npm start`). */
export const DEFAULT_SERVER = 'http://localhost:3000';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  tries: number;
  /** Backoff before the second attempt; doubled each time after, with jitter. */
  baseMs: number;
  /** No single wait is longer (Retry-After included). */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { tries: 5, baseMs: 500, maxMs: 30_000 };

export interface ClientOptions {
  /** The API's base URL (may carry a path prefix, e.g. an API Gateway stage). */
  server: string;
  token: string;
  retry?: Partial<RetryPolicy>;
  /** Told about each retry (the CLI prints it on stderr). */
  onRetry?: (message: string) => void;
  /** Tests replace the clock. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the server (or storage) answered that was not a success, after any retries; exit code 1. */
export class ApiError extends TraceLensError {
  readonly httpStatus: number;
  readonly url: string;
  readonly serverCode: string | undefined;
  constructor(httpStatus: number, url: string, message: string, serverCode?: string) {
    super(codeFor(httpStatus), message, { httpStatus, url });
    this.name = 'ApiError';
    this.httpStatus = httpStatus;
    this.url = url;
    this.serverCode = serverCode;
  }
}

export interface RequestOptions {
  /** A fresh body for each attempt (a stream can be read once). */
  body?: () => RequestInit['body'] | undefined;
  headers?: Record<string, string>;
  /** Send the API key; default: only to URLs under the server (never to presigned storage URLs). */
  auth?: boolean;
  /** What this request is, for messages ("upload part 3"). */
  what?: string;
  /** Called when an attempt fails and will be retried (undo the progress it counted). */
  onAttemptFailed?: () => void;
}

/**
 * The CLI's HTTP client: `Authorization: Bearer` to the API, retries with exponential backoff and jitter
 * on network errors, 429 and 5xx (honouring Retry-After), and one clear error for everything else.
 */
export class ApiClient {
  readonly server: string;
  private readonly token: string;
  private readonly retry: RetryPolicy;
  private readonly onRetry: (message: string) => void;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(o: ClientOptions) {
    this.server = o.server.replace(/\/+$/, '');
    this.token = o.token;
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.onRetry = o.onRetry ?? (() => {});
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** An absolute URL for an API path (`/v1/...`), keeping the server's own path prefix. */
  url(path: string): string {
    return /^https?:\/\//i.test(path) ? path : `${this.server}/${path.replace(/^\/+/, '')}`;
  }

  /** The response of a successful request (2xx), after retries; throws ApiError otherwise. */
  async request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const url = this.url(path);
    const auth = o.auth ?? url.startsWith(this.server + '/');
    const what = o.what ?? `${method} ${redact(url)}`;
    for (let attempt = 1; ; attempt++) {
      const headers = new Headers(o.headers);
      if (auth) headers.set('authorization', `Bearer ${this.token}`);
      const body = o.body?.();
      let res: Response;
      try {
        res = await fetch(url, { method, headers, ...(body !== undefined ? { body, duplex: 'half' } : {}) } as RequestInit);
      } catch (err) {
        const local = localCause(err);
        if (local) throw local; // our own file could not be read: no retry helps
        const reason = networkReason(err);
        if (attempt >= this.retry.tries) {
          throw new ApiError(0, url, `${what}: cannot reach ${new URL(url).host} (${reason}) after ${attempt} attempts; check TRACELENS_URL (or --server)`);
        }
        o.onAttemptFailed?.();
        const delay = this.backoff(attempt);
        this.onRetry(`${what}: ${reason}; retrying in ${seconds(delay)} (attempt ${attempt + 1}/${this.retry.tries})`);
        await this.sleep(delay);
        continue;
      }
      if (res.ok) return res;
      const text = await res.text().catch(() => '');
      if ((res.status === 429 || res.status >= 500) && attempt < this.retry.tries) {
        o.onAttemptFailed?.();
        const delay = this.retryAfter(res.headers.get('retry-after')) ?? this.backoff(attempt);
        this.onRetry(`${what}: ${res.status} ${res.statusText || ''}`.trimEnd() + `; retrying in ${seconds(delay)} (attempt ${attempt + 1}/${this.retry.tries})`);
        await this.sleep(delay);
        continue;
      }
      throw errorFor(res.status, url, what, text, auth, attempt);
    }
  }

  async json<T = any>(method: string, path: string, o: RequestOptions & { json?: unknown } = {}): Promise<T> {
    const { json, ...rest } = o;
    const opts: RequestOptions =
      json === undefined ? rest : { ...rest, body: () => JSON.stringify(json), headers: { 'content-type': 'application/json', ...rest.headers } };
    const res = await this.request(method, path, { ...opts, headers: { accept: 'application/json', ...opts.headers } });
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, this.url(path), `${method} ${redact(this.url(path))}: the answer is not JSON: ${text.slice(0, 200)}`);
    }
  }

  async text(method: string, path: string, o: RequestOptions = {}): Promise<string> {
    return (await this.request(method, path, o)).text();
  }

  /** Exponential backoff with jitter: base·2^(n-1), scaled by a random factor in [0.5, 1). */
  private backoff(attempt: number): number {
    const exp = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempt - 1));
    return Math.round(exp * (0.5 + Math.random() / 2));
  }

  /** Retry-After in seconds or as an HTTP date, capped at maxMs; undefined when absent or unreadable. */
  private retryAfter(header: string | null): number | undefined {
    if (!header) return undefined;
    const secs = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
    return Number.isFinite(secs) ? Math.min(this.retry.maxMs, Math.max(0, secs)) : undefined;
  }
}

/** The client from --server/--token, else TRACELENS_URL/TRACELENS_TOKEN; no key is a usage error. */
export function clientFrom(
  values: { server?: string | undefined; token?: string | undefined },
  env: Record<string, string | undefined>,
  stderr: NodeJS.WritableStream,
): ApiClient {
  const server = values.server || env.TRACELENS_URL || DEFAULT_SERVER;
  const token = values.token || env.TRACELENS_TOKEN;
  if (!/^https?:\/\/[^/]/i.test(server)) throw new UsageError(`the server must be an http(s) URL, not "${server}" (--server or TRACELENS_URL)`);
  if (!token) throw new UsageError('no API key: set TRACELENS_TOKEN or pass --token (`npm start` prints a local one)');
  const retry: Partial<RetryPolicy> = {};
  // Tuning, mostly for tests: TRACELENS_RETRY_BASE_MS, TRACELENS_RETRIES.
  if (env.TRACELENS_RETRY_BASE_MS && /^\d+$/.test(env.TRACELENS_RETRY_BASE_MS)) retry.baseMs = Number(env.TRACELENS_RETRY_BASE_MS);
  if (env.TRACELENS_RETRIES && /^\d+$/.test(env.TRACELENS_RETRIES)) retry.tries = Math.max(1, Number(env.TRACELENS_RETRIES));
  // On a terminal, clear a progress bar being redrawn first; it is drawn again on the next update.
  const clear = (stderr as NodeJS.WriteStream).isTTY ? '\r\x1b[2K' : '';
  return new ApiClient({ server, token, retry, onRetry: (m) => stderr.write(`${clear}tracelens: ${m}\n`) });
}

function errorFor(status: number, url: string, what: string, body: string, auth: boolean, attempts: number): ApiError {
  let code: string | undefined;
  let message = '';
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
    code = parsed.error?.code;
    message = parsed.error?.message ?? '';
  } catch {
    // S3 answers XML: <Error><Code>SignatureDoesNotMatch</Code><Message>...</Message></Error>
    const xmlCode = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    const xmlMessage = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
    if (xmlCode || xmlMessage) {
      code = xmlCode;
      message = [xmlCode, xmlMessage].filter(Boolean).join(': ');
    } else message = body.trim().slice(0, 300);
  }
  const hint = hintFor(status, auth, attempts);
  const text = `${what}: ${status}${message ? ` ${message}` : ''}${hint ? ` — ${hint}` : ''}`;
  return new ApiError(status, url, text, code);
}

function hintFor(status: number, auth: boolean, attempts: number): string {
  if (status === 401) return 'check TRACELENS_TOKEN (or --token): the key is missing, wrong or revoked';
  if (status === 403) {
    return auth
      ? 'the key lacks the scope this needs (ingest to upload, read to read reports); ask an operator (tracelens keys)'
      : 'storage refused the signed URL (expired, or the request does not match what was signed); run the upload again';
  }
  if (status === 404) return '';
  if (status === 413) return 'too large for the server (see its limits)';
  if (status === 429) return `rate limited, still after ${attempts} attempts; try again later`;
  if (status >= 500) return `the server failed, still after ${attempts} attempts; try again later`;
  return '';
}

function codeFor(status: number): ErrorCode {
  const map: Record<number, ErrorCode> = {
    400: 'invalid_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    413: 'too_large',
    415: 'unsupported_format',
    422: 'unparsable',
    429: 'rate_limited',
  };
  return map[status] ?? (status >= 400 && status < 500 ? 'invalid_request' : 'internal');
}

/** fetch's TypeError("fetch failed") carries the reason in `cause` (ECONNREFUSED, ECONNRESET, ...). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}

/** A failure reading our own body (the archive on disk), which fetch wraps like a network error. */
function localCause(err: unknown): Error | undefined {
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof Error && 'syscall' in cause && 'path' in cause) return cause;
  return undefined;
}

/** Presigned URLs carry credentials-derived signatures in the query: never print those. */
function redact(url: string): string {
  const u = new URL(url);
  return u.search ? `${u.origin}${u.pathname}?…` : `${u.origin}${u.pathname}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
