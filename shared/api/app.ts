import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Scope } from '../auth/api-keys.js';
import { authenticate, requireScope } from './auth.js';
import { docsPage, openApiDocument } from './openapi.js';
import type { ApiDeps, AppEnv } from './deps.js';
import { notFound, onError } from './errors.js';
import { rateLimiter, type RateLimitOptions } from './rate-limit.js';
import { securityHeaders } from './security-headers.js';
import { analysesRoutes } from './routes/analyses.js';
import { reposRoutes } from './routes/repos.js';
import { shareRoutes } from './routes/share.js';
import { uploadsRoutes } from './routes/uploads.js';

/** The scope each authenticated route needs (`admin` holds all). Pinning a baseline is a CI step: ingest. */
export const ROUTE_SCOPES: ReadonlyArray<[string, string, Scope]> = [
  ['POST', '/v1/analyses', 'ingest'],
  ['POST', '/v1/analyses/:id/reanalyze', 'ingest'],
  ['POST', '/v1/analyses/:id/share', 'read'],
  ['GET', '/v1/analyses/*', 'read'],
  ['POST', '/v1/uploads', 'ingest'],
  ['POST', '/v1/uploads/*', 'ingest'],
  ['DELETE', '/v1/uploads/*', 'ingest'],
  ['GET', '/v1/repos/*', 'read'],
  ['PUT', '/v1/repos/*', 'ingest'],
];

/** How the app protects itself; defaults suit production and the local service. */
export interface AppOptions {
  /** Token buckets per API key and per IP (shared/api/rate-limit.ts); `false` turns them off. */
  rateLimit?: RateLimitOptions | false;
}

/** The HTTP API (SPEC §5), built from injected dependencies; the same app runs on Lambda and locally. */
export function createApp(deps: ApiDeps & AppOptions) {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(securityHeaders());
  const limiter = deps.rateLimit === false ? undefined : rateLimiter(deps.rateLimit ?? {});
  if (limiter) app.use(limiter.beforeAuth);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  const doc = openApiDocument();
  app.get('/openapi.json', (c) => c.json(doc));
  app.get('/docs', (c) => c.html(docsPage(doc)));
  // Every /v1 route needs a key, except share links (their token is the credential).
  app.use('/v1/*', async (c, next) => (c.req.path.startsWith('/v1/share/') ? next() : authenticate(deps.keys)(c, next)));
  if (limiter) app.use('/v1/*', limiter.afterAuth);
  for (const [method, path, scope] of ROUTE_SCOPES) app.on(method, path, requireScope(scope));
  app.route('/v1/analyses', analysesRoutes(deps));
  app.route('/v1/uploads', uploadsRoutes(deps));
  app.route('/v1/repos', reposRoutes(deps));
  app.route('/v1/share', shareRoutes(deps));
  app.notFound(notFound);
  app.onError(onError(deps.log));
  return app;
}

export type App = ReturnType<typeof createApp>;
