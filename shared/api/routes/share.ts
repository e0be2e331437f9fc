import { Hono } from 'hono';
import { verifyShareToken } from '../../auth/share-tokens.js';
import { TraceLensError } from '../../errors.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { parseFormat, renderRecord } from '../render-report.js';

/**
 * GET /v1/share/{token}: the report a share link names, read-only, no API key (the token is the
 * credential). Every refusal is the same 404, so a link tells nothing about other analyses.
 */
export function shareRoutes(deps: ApiDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<AppEnv>();
  app.get('/:token', async (c) => {
    const check = verifyShareToken(c.req.param('token'), deps.shareSecrets, Math.floor(now().getTime() / 1000));
    if (!check.ok) {
      throw new TraceLensError('not_found', check.reason === 'expired' ? 'this share link has expired' : 'no such share link');
    }
    const { tenant, analysisId } = check.claims;
    c.set('tenant', tenant);
    const format = parseFormat(c.req.query('format'));
    const record = await deps.analyses.get(tenant, analysisId);
    if (!record) throw new TraceLensError('not_found', 'no such share link');
    return renderRecord(c, deps, record, format, new URL(c.req.path, c.req.url).toString());
  });
  return app;
}
