import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './deps.js';

/**
 * Security headers on every response (docs/reliability.md, security review). Headers a route set itself
 * win: the report page sends its own CSP (shared/report/html/page.ts PAGE_CSP), /docs gets one that lets
 * its inline stylesheet through.
 *
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` everywhere.
 * - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` on everything else: JSON,
 *   Markdown, SARIF and folded stacks are data, never to be run or framed.
 * - `Cache-Control: no-store` on authenticated responses and share links (a tenant's reports must not
 *   sit in a shared cache); public documents (/openapi.json, /docs) may be cached briefly.
 *
 * CORS, deliberately: none. The API is for CI jobs, bots and the CLI, which are not browsers; a page on
 * another origin gets no Access-Control-Allow-* header, so browsers refuse to let it read responses or
 * send the Authorization header (preflights fall through to 401/404). Share links and the report page are
 * opened by navigation, which needs no CORS.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
export const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

const PUBLIC = new Set(['/healthz', '/openapi.json', '/docs']);

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    const set = (name: string, value: string) => {
      if (!h.has(name)) h.set(name, value);
    };
    set('x-content-type-options', 'nosniff');
    set('referrer-policy', 'no-referrer');
    set('content-security-policy', c.req.path === '/docs' ? DOCS_CSP : API_CSP);
    if (PUBLIC.has(c.req.path)) set('cache-control', c.req.path === '/healthz' ? 'no-store' : 'public, max-age=300');
    else h.set('cache-control', 'no-store');
  };
}
