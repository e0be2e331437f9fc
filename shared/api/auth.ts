import type { MiddlewareHandler } from 'hono';
import { hasScope, type Scope } from '../auth/api-keys.js';
import { TraceLensError } from '../errors.js';
import type { ApiKeyStore } from '../storage/dynamo-api-key-store.js';
import type { AppEnv } from './deps.js';

/**
 * `Authorization: Bearer <api key>` on every /v1 route but share links (SPEC §5). The key's tenant
 * becomes the request's tenant — every store call is keyed by it, so a key never reaches another
 * tenant's items — and its scopes are checked per route by `requireScope`. Failures say only what the
 * caller can fix: no hint whether a key id exists.
 */
export function authenticate(keys: ApiKeyStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      c.header('WWW-Authenticate', 'Bearer realm="tracelens"');
      throw new TraceLensError('unauthorized', 'send an API key: Authorization: Bearer <key> (tracelens keys create, or TRACELENS_TOKEN from npm start)');
    }
    const principal = await keys.verify(m[1]!);
    if (!principal) {
      c.header('WWW-Authenticate', 'Bearer realm="tracelens", error="invalid_token"');
      throw new TraceLensError('unauthorized', 'the API key is not valid (unknown, revoked or mistyped)');
    }
    c.set('tenant', principal.tenant);
    c.set('scopes', principal.scopes);
    c.set('keyId', principal.keyId);
    await next();
  };
}

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!hasScope(c.get('scopes') ?? [], scope)) {
      throw new TraceLensError('forbidden', `this API key lacks the "${scope}" scope`, { required: scope });
    }
    await next();
  };
}
