import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { ApiDeps, AppEnv } from './deps.js';
import { notFound, onError } from './errors.js';
import { analysesRoutes } from './routes/analyses.js';
import { reposRoutes } from './routes/repos.js';
import { uploadsRoutes } from './routes/uploads.js';

/** The HTTP API (SPEC §5), built from injected dependencies; the same app runs on Lambda and locally. */
export function createApp(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    c.set('tenant', deps.defaultTenant);
    await next();
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/v1/analyses', analysesRoutes(deps));
  app.route('/v1/uploads', uploadsRoutes(deps));
  app.route('/v1/repos', reposRoutes(deps));
  app.notFound(notFound);
  app.onError(onError(deps.log));
  return app;
}

export type App = ReturnType<typeof createApp>;
