import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { z } from 'zod';
import { GateThresholdOverridesSchema, mergeThresholds } from '../../analyses/compare/gate.js';
import { hasScope } from '../../auth/api-keys.js';
import { TraceLensError } from '../../errors.js';
import { isId } from '../../ids.js';
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, type AnalysisSummary, type RepoStore } from '../../storage/repo-store.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { jsonBody, parse } from '../request-body.js';
import { expiresAtFor, REPO_PATTERN } from './analyses.js';

/** An unpinned baseline is kept at least this long after it lost its pin. */
export const UNPINNED_GRACE_S = 86_400;

/** Branch names as git allows them, loosely: no control characters, at most 256 characters. */
const BRANCH = /^[^\u0000-\u001f\u007f]{1,256}$/;

export const PinBody = z.object({
  analysisId: z.string().refine(isId, 'analysisId is an analysis id (26 characters, e.g. 01JDQ8ZK3M7W5X2R9T4B6N8C0E)'),
});

/**
 * What a path under the mount point names. `repo` and `branch` may hold `/`: percent-encoded
 * (`acme%2Fprobe`, `feature%2Fx`) or raw. Raw, `…/analyses` takes everything before the final segment
 * as the repo, and `…/baselines/…` splits at the first `baselines` segment (encode to say otherwise).
 */
type Target = { kind: 'analyses'; repo: string } | { kind: 'gate'; repo: string } | { kind: 'baseline'; repo: string; branch: string };

/**
 * SPEC §5 per-repo routes, mounted at `/v1/repos`:
 *   GET /{repo}/analyses?branch=&limit=&cursor=   newest first, paginated by an opaque cursor
 *   PUT /{repo}/baselines/{branch}  {analysisId}   pin the branch's baseline
 *   GET /{repo}/baselines/{branch}                 the pinned baseline
 */
export function reposRoutes(deps: Pick<ApiDeps, 'now' | 'retentionDays'> & { repos: RepoStore }) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<AppEnv>();

  app.get('/*', async (c) => {
    const target = targetOf(c);
    if (target?.kind === 'analyses') {
      const query = listQuery(c);
      const page = await deps.repos.listAnalyses(c.get('tenant'), target.repo, query);
      return c.json({ items: page.items.map((s) => toItem(s, c.req.url)), nextCursor: page.nextCursor });
    }
    if (target?.kind === 'gate') {
      const thresholds = await deps.repos.getGate(c.get('tenant'), target.repo);
      return c.json({ repo: target.repo, thresholds: mergeThresholds(thresholds), overrides: thresholds });
    }
    if (target?.kind === 'baseline') {
      const baseline = await deps.repos.getBaseline(c.get('tenant'), target.repo, target.branch);
      if (!baseline) {
        throw new TraceLensError('not_found', `no baseline is pinned for branch ${target.branch} of ${target.repo}`);
      }
      return c.json(baseline);
    }
    throw noRoute(c);
  });

  app.put(
    '/*',
    bodyLimit({
      maxSize: 16 * 1024,
      onError: () => {
        throw new TraceLensError('too_large', 'the request body is over 16 KB; send {"analysisId": "..."}');
      },
    }),
    async (c) => {
      const target = targetOf(c);
      if (target?.kind === 'gate') {
        if (!hasScope(c.get('scopes') ?? [], 'admin')) throw new TraceLensError('forbidden', 'setting a repo\'s gate needs the "admin" scope');
        const overrides = parse(GateThresholdOverridesSchema, await jsonBody(c.req.raw));
        await deps.repos.putGate(c.get('tenant'), target.repo, overrides, now().toISOString());
        return c.json({ repo: target.repo, thresholds: mergeThresholds(overrides), overrides });
      }
      if (target?.kind !== 'baseline') throw noRoute(c);
      const { analysisId } = parse(PinBody, await jsonBody(c.req.raw));
      const pinnedAt = now();
      const baseline = await deps.repos.pinBaseline(c.get('tenant'), target.repo, target.branch, analysisId, pinnedAt.toISOString(), {
        // The replaced baseline expires as it would have, but not within a day of losing its pin (a
        // comparison against it may be under way).
        expiresAtOnceUnpinned: (createdAt) =>
          Math.max(expiresAtFor(new Date(createdAt), deps.retentionDays), Math.floor(pinnedAt.getTime() / 1000) + UNPINNED_GRACE_S),
      });
      return c.json(baseline, 200);
    },
  );

  return app;
}

function targetOf(c: Context<AppEnv>): Target | undefined {
  // The path as sent (`%2F` intact), after the mount point (`/v1/repos` from the `/v1/repos/*` route).
  const mount = routePath(c).replace(/\/\*$/, '');
  const raw = new URL(c.req.url).pathname;
  if (!raw.startsWith(mount + '/')) return undefined;
  const segments = raw.slice(mount.length + 1).split('/').map(decodeSegment);
  const at = segments.indexOf('baselines', 1);
  if (at >= 1 && at < segments.length - 1) {
    return { kind: 'baseline', repo: repoOf(segments.slice(0, at)), branch: branchOf(segments.slice(at + 1)) };
  }
  if (segments.length >= 2 && segments.at(-1) === 'gate') {
    return { kind: 'gate', repo: repoOf(segments.slice(0, -1)) };
  }
  if (segments.length >= 2 && segments.at(-1) === 'analyses') {
    return { kind: 'analyses', repo: repoOf(segments.slice(0, -1)) };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (err) {
    throw new TraceLensError('invalid_request', `the path segment "${segment}" is not valid percent-encoding`, undefined, {
      cause: err,
    });
  }
}

function repoOf(segments: string[]): string {
  const repo = segments.join('/');
  if (repo.length > 256 || !REPO_PATTERN.test(repo)) {
    throw new TraceLensError('invalid_request', `repo "${repo}" is not owner/name (letters, digits, . _ - and /)`);
  }
  return repo;
}

function branchOf(segments: string[]): string {
  const branch = segments.join('/');
  if (!BRANCH.test(branch) || branch.trim() !== branch) {
    throw new TraceLensError('invalid_request', `branch "${branch}" must be 1 to 256 characters without control characters or surrounding spaces`);
  }
  return branch;
}

function listQuery(c: Context<AppEnv>): { branch?: string; limit: number; cursor?: string } {
  const branch = c.req.query('branch');
  const limitText = c.req.query('limit');
  const cursor = c.req.query('cursor');
  let limit = LIST_LIMIT_DEFAULT;
  if (limitText !== undefined) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= LIST_LIMIT_MAX)) {
      throw new TraceLensError('invalid_request', `limit must be an integer from 1 to ${LIST_LIMIT_MAX}, not "${limitText}"`);
    }
  }
  return {
    limit,
    ...(branch !== undefined ? { branch: branchOf([branch]) } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

function toItem(s: AnalysisSummary, requestUrl: string) {
  return {
    id: s.id,
    repo: s.repo,
    ...(s.branch !== undefined ? { branch: s.branch } : {}),
    ...(s.commit !== undefined ? { commit: s.commit } : {}),
    labels: s.labels,
    status: s.status,
    ...(s.error !== undefined ? { error: s.error } : {}),
    createdAt: s.createdAt,
    ...(s.completedAt !== undefined ? { completedAt: s.completedAt } : {}),
    ...(s.findingCounts !== undefined ? { findings: s.findingCounts } : {}),
    reportUrl: new URL(`/v1/analyses/${s.id}`, requestUrl).toString(),
  };
}

function noRoute(c: Context<AppEnv>): TraceLensError {
  return new TraceLensError('not_found', `no route ${c.req.method} ${new URL(c.req.url).pathname}`);
}
