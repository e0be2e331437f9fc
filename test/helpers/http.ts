import type { LocalService } from '../../shared/local/service.js';

/**
 * `fetch` that sends the local service's API key (`Authorization: Bearer`) to the services' URLs —
 * and nothing to anyone else (presigned S3 URLs) — unless the call sets its own Authorization.
 */
export function fetchWithToken(services: () => Array<LocalService | undefined>): typeof fetch {
  return (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const s = services().find((x) => x && url.startsWith(x.url));
    const headers = new Headers(init.headers);
    if (s && !headers.has('authorization')) headers.set('authorization', `Bearer ${s.token}`);
    return globalThis.fetch(input, { ...init, headers });
  };
}

/** The response body as JSON; a test failure quoting the status and the body when it is not JSON. */
export async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 300)}`);
  }
}

/**
 * Reads an analysis with `read` until its status is `complete` or `failed` and returns that read; after
 * `timeoutMs` an error naming `what` and the last status seen.
 */
export async function untilFinal<T extends { status?: unknown }>(
  read: () => Promise<T>,
  what: string,
  { timeoutMs = 60_000, pollMs = 50 }: { timeoutMs?: number; pollMs?: number } = {},
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const r = await read();
    if (r.status === 'complete' || r.status === 'failed') return r;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} still ${String(r.status)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
