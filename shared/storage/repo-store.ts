import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { TraceLensError } from '../errors.js';
import type { AnalysisStatus, Severity } from '../model/report.js';
import { ifConditionFails, unlessConditionFails } from './conditions.js';
import { findingKeys } from './dynamo-analysis-store.js';
import { BRANCH_INDEX, ddbKeys, REPO_INDEX, TTL_ATTRIBUTE } from './keys.js';

/** Page sizes of GET /v1/repos/{repo}/analyses (SPEC §5). */
export const LIST_LIMIT_DEFAULT = 20;
export const LIST_LIMIT_MAX = 100;

/** Finding counts by severity, kept on the analysis item so a listing never reads report bodies. */
export type FindingCounts = Record<Severity, number>;

/** One analysis in a repo listing: summary fields only, never the result. */
export interface AnalysisSummary {
  id: string;
  repo: string;
  branch?: string;
  commit?: string;
  labels: Record<string, string>;
  status: AnalysisStatus;
  createdAt: string;
  completedAt?: string;
  error?: string;
  /** Present when the item holds a result summary (`findingCounts`). */
  findingCounts?: FindingCounts;
}

export interface AnalysisPage {
  items: AnalysisSummary[];
  /** Opaque; pass it back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface ListOptions {
  /** Only this branch (the branch index); otherwise every branch (the repo index). */
  branch?: string;
  /** 1..LIST_LIMIT_MAX. */
  limit: number;
  cursor?: string;
}

/** A branch's pinned baseline: the analysis comparisons run against. */
export interface Baseline {
  repo: string;
  branch: string;
  analysisId: string;
  pinnedAt: string;
}

/**
 * What happens to the analysis a pin replaces: once no branch of the repo pins it any more it is a
 * short-lived run again, and expires (with its findings) at the epoch second this gives for its creation time.
 */
export interface ReleasePolicy {
  expiresAtOnceUnpinned(createdAt: string): number;
}

/** Per-repo views of the single table: analyses newest first, and baseline pointers per branch. */
export interface RepoStore {
  /** Newest first; `invalid_request` for a limit outside 1..100 or a cursor that is not this listing's. */
  listAnalyses(tenant: string, repo: string, options: ListOptions): Promise<AnalysisPage>;
  /**
   * Pins a complete analysis of this repo as the branch's baseline and clears its TTL (and its
   * findings'), so a baseline never expires; the analysis it replaces gets a TTL again (`release`)
   * unless another branch still pins it. `not_found` when the analysis is not in this tenant,
   * `conflict` when it belongs to another repo or is not complete.
   */
  pinBaseline(tenant: string, repo: string, branch: string, analysisId: string, pinnedAt: string, release: ReleasePolicy): Promise<Baseline>;
  getBaseline(tenant: string, repo: string, branch: string): Promise<Baseline | undefined>;
  /** The repo's CI-gate threshold overrides (`PUT /v1/repos/{repo}/gate`); {} when none are set. */
  getGate(tenant: string, repo: string): Promise<Record<string, unknown>>;
  putGate(tenant: string, repo: string, thresholds: Record<string, unknown>, updatedAt: string): Promise<void>;
}

/** Attributes a listing reads (ProjectionExpression): the summary, never `resultJson`/`resultKey`. */
const SUMMARY_FIELDS = ['id', 'repo', 'branch', 'commit', 'labels', 'status', 'createdAt', 'completedAt', 'error', 'findingCounts'];
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
/** Cursors are a few hundred bytes; anything far longer is not one of ours. */
const CURSOR_MAX_CHARS = 2048;

/** Which index a listing reads, and the partition (tenant, repo, optional branch) it reads. */
interface Listing {
  tenant: string;
  repo: string;
  branch: string | null;
  index: string;
  pkName: 'GSI1PK' | 'GSI2PK';
  skName: 'GSI1SK' | 'GSI2SK';
  partition: string;
}

function listingOf(tenant: string, repo: string, branch: string | undefined): Listing {
  if (branch === undefined) {
    return {
      tenant,
      repo,
      branch: null,
      index: REPO_INDEX,
      pkName: 'GSI1PK',
      skName: 'GSI1SK',
      partition: ddbKeys.repoIndex(tenant, repo, '', '').GSI1PK,
    };
  }
  return {
    tenant,
    repo,
    branch,
    index: BRANCH_INDEX,
    pkName: 'GSI2PK',
    skName: 'GSI2SK',
    partition: ddbKeys.branchIndex(tenant, repo, branch, '', '').GSI2PK,
  };
}

/**
 * The cursor: base64url of `{v, t, r, b, k}` — the listing it belongs to (tenant, repo, branch or null)
 * and the DynamoDB key of the last item returned (table keys plus the index keys).
 */
const CursorPayload = z
  .object({
    v: z.literal(1),
    t: z.string(),
    r: z.string(),
    b: z.string().nullable(),
    k: z.record(z.string(), z.string()),
  })
  .strict();
type CursorPayload = z.infer<typeof CursorPayload>;

function encodeCursor(listing: Listing, key: Record<string, string>): string {
  const payload: CursorPayload = { v: 1, t: listing.tenant, r: listing.repo, b: listing.branch, k: key };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

const INVALID_CURSOR = 'cursor is not valid: pass the nextCursor of the previous page unchanged, or leave it out to start from the newest';

/** The ExclusiveStartKey a cursor stands for, checked against the listing it is used with. */
function decodeCursor(cursor: string, listing: Listing): Record<string, string> {
  if (cursor.length === 0 || cursor.length > CURSOR_MAX_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new TraceLensError('invalid_request', INVALID_CURSOR);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new TraceLensError('invalid_request', INVALID_CURSOR, undefined, { cause: err });
  }
  const r = CursorPayload.safeParse(parsed);
  if (!r.success) throw new TraceLensError('invalid_request', INVALID_CURSOR);
  const { t, r: repo, b, k } = r.data;
  if (t !== listing.tenant || repo !== listing.repo || b !== listing.branch) {
    throw new TraceLensError(
      'invalid_request',
      'cursor belongs to another listing (a different repo or branch): start again without a cursor',
    );
  }
  // Exactly the keys a Query on this index returns as LastEvaluatedKey, in this partition.
  const names = Object.keys(k).sort();
  const expected = ['PK', 'SK', listing.pkName, listing.skName].sort();
  const sortKey = /^(\d{4}-\d\d-\d\dT[^#]+)#([^#]+)$/.exec(k[listing.skName] ?? '');
  const analysisKey = sortKey ? ddbKeys.analysis(listing.tenant, sortKey[2]!) : undefined;
  if (
    names.join() !== expected.join() ||
    k[listing.pkName] !== listing.partition ||
    !analysisKey ||
    k.PK !== analysisKey.PK ||
    k.SK !== analysisKey.SK
  ) {
    throw new TraceLensError('invalid_request', INVALID_CURSOR);
  }
  return k;
}

/**
 * Repo views over the single table (SPEC §8): listings Query GSI1 (repo) or GSI2 (repo and branch)
 * newest first with a summary projection; baselines are `PK T#{tenant}#R#{repo}`, `SK BASE#{branch}`.
 */
export class DynamoRepoStore implements RepoStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async listAnalyses(tenant: string, repo: string, options: ListOptions): Promise<AnalysisPage> {
    const { limit } = options;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
      throw new TraceLensError('invalid_request', `limit must be an integer from 1 to ${LIST_LIMIT_MAX}`, { limit });
    }
    const listing = listingOf(tenant, repo, options.branch);
    let start: Record<string, unknown> | undefined =
      options.cursor !== undefined ? decodeCursor(options.cursor, listing) : undefined;
    // Read one more than a page: a next page exists exactly when it arrives (no empty last page).
    const projected = [...SUMMARY_FIELDS, 'PK', 'SK', listing.pkName, listing.skName];
    const names = Object.fromEntries(projected.map((f, i) => [`#f${i}`, f]));
    const rows: Array<Record<string, unknown>> = [];
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: listing.index,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { ...names, '#pk': listing.pkName },
          ExpressionAttributeValues: { ':pk': listing.partition },
          ProjectionExpression: Object.keys(names).join(', '),
          ScanIndexForward: false,
          Limit: limit + 1 - rows.length,
          ExclusiveStartKey: start,
        }),
      );
      rows.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && rows.length <= limit);

    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor(listing, {
            PK: String(last.PK),
            SK: String(last.SK),
            [listing.pkName]: String(last[listing.pkName]),
            [listing.skName]: String(last[listing.skName]),
          })
        : null;
    return { items: page.map(toSummary), nextCursor };
  }

  async pinBaseline(tenant: string, repo: string, branch: string, analysisId: string, pinnedAt: string, release: ReleasePolicy): Promise<Baseline> {
    const key = ddbKeys.analysis(tenant, analysisId);
    const got = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: '#repo, #status',
        ExpressionAttributeNames: { '#repo': 'repo', '#status': 'status' },
      }),
    );
    const item = got.Item;
    if (!item) throw new TraceLensError('not_found', `analysis ${analysisId} not found`);
    assertPinnable(item, analysisId, repo);

    // The TTL goes first: a pointer is never written to an analysis that can still expire. The
    // condition re-checks what was read, so a re-run that started in between is not pinned.
    await ifConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          ConditionExpression: 'attribute_exists(PK) AND #repo = :repo AND #status = :complete',
          UpdateExpression: 'REMOVE #ttl',
          ExpressionAttributeNames: { '#repo': 'repo', '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':repo': repo, ':complete': 'complete' },
        }),
      ),
      (err) => {
        throw new TraceLensError('conflict', `analysis ${analysisId} changed while it was being pinned; try again`, undefined, {
          cause: err,
        });
      },
    );
    await this.writeTtl(await findingKeys(this.db, this.table, key.PK, TTL_ATTRIBUTE), undefined);

    const replaced = await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...ddbKeys.baseline(tenant, repo, branch), analysisId, pinnedAt },
        ReturnValues: 'ALL_OLD',
      }),
    );
    // Again, after the pointer: a release of this analysis by another branch's re-pin that saw no
    // pointer yet may have given it a TTL in between.
    await this.keepForever(key);
    const previous = replaced.Attributes?.analysisId;
    if (typeof previous === 'string' && previous !== analysisId) await this.release(tenant, repo, previous, release);
    return { repo, branch, analysisId, pinnedAt };
  }

  /**
   * The analysis no longer pinned by this branch: unless another branch pins it, it expires again (and
   * its findings). Set, then checked again: a pin elsewhere that raced the first check takes the TTL back off.
   */
  private async release(tenant: string, repo: string, analysisId: string, policy: ReleasePolicy): Promise<void> {
    if (await this.pinnedAnywhere(tenant, repo, analysisId)) return;
    const key = ddbKeys.analysis(tenant, analysisId);
    const got = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true, ProjectionExpression: 'createdAt' }));
    if (typeof got.Item?.createdAt !== 'string') return; // gone already
    const expiresAt = policy.expiresAtOnceUnpinned(got.Item.createdAt);
    await this.writeTtl([key, ...(await findingKeys(this.db, this.table, key.PK))], expiresAt);
    if (await this.pinnedAnywhere(tenant, repo, analysisId)) await this.keepForever(key);
  }

  /** Whether a baseline pointer of the repo (any branch) points at the analysis. */
  private async pinnedAnywhere(tenant: string, repo: string, analysisId: string): Promise<boolean> {
    const { PK } = ddbKeys.baseline(tenant, repo, '');
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :base)',
          FilterExpression: 'analysisId = :id',
          ExpressionAttributeValues: { ':pk': PK, ':base': ddbKeys.baseline(tenant, repo, '').SK, ':id': analysisId },
          ProjectionExpression: 'SK',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      if (page.Items?.length) return true;
      start = page.LastEvaluatedKey;
    } while (start);
    return false;
  }

  /** Removes the TTL of the analysis item and of its findings (a pinned baseline never expires). */
  private async keepForever(key: { PK: string; SK: string }): Promise<void> {
    await this.writeTtl([key, ...(await findingKeys(this.db, this.table, key.PK, TTL_ATTRIBUTE))], undefined);
  }

  /**
   * Sets the TTL of each item that has none (or, with `expiresAt` undefined, removes it). Items deleted
   * in between (a re-run rewrites its findings) are skipped: nothing left to keep or expire.
   */
  private async writeTtl(keys: Array<{ PK: string; SK: string }>, expiresAt: number | undefined): Promise<void> {
    for (const key of keys) {
      await unlessConditionFails(
        this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ...(expiresAt === undefined
              ? { ConditionExpression: 'attribute_exists(PK)', UpdateExpression: 'REMOVE #ttl' }
              : { ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#ttl)', UpdateExpression: 'SET #ttl = :e', ExpressionAttributeValues: { ':e': expiresAt } }),
          }),
        ),
      );
    }
  }

  async getBaseline(tenant: string, repo: string, branch: string): Promise<Baseline | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: ddbKeys.baseline(tenant, repo, branch), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item || typeof item.analysisId !== 'string') return undefined;
    return { repo, branch, analysisId: item.analysisId, pinnedAt: String(item.pinnedAt) };
  }

  async getGate(tenant: string, repo: string): Promise<Record<string, unknown>> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: gateKey(tenant, repo), ConsistentRead: true }));
    const t = out.Item?.thresholds;
    return t && typeof t === 'object' ? (t as Record<string, unknown>) : {};
  }

  async putGate(tenant: string, repo: string, thresholds: Record<string, unknown>, updatedAt: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...gateKey(tenant, repo), repo, thresholds, updatedAt } }));
  }
}

function assertPinnable(item: Record<string, unknown>, analysisId: string, repo: string): void {
  if (item.repo !== repo) {
    const where = typeof item.repo === 'string' ? `repo ${item.repo}` : 'no repo';
    throw new TraceLensError('conflict', `analysis ${analysisId} belongs to ${where}, not ${repo}`, {
      analysisId,
      repo: item.repo ?? null,
    });
  }
  if (item.status !== 'complete') {
    throw new TraceLensError(
      'conflict',
      `analysis ${analysisId} is ${String(item.status)}; only a complete analysis can be a baseline`,
      { analysisId, status: item.status },
    );
  }
}

function toSummary(item: Record<string, unknown>): AnalysisSummary {
  const summary: AnalysisSummary = {
    id: String(item.id),
    repo: String(item.repo),
    labels: (item.labels as Record<string, string> | undefined) ?? {},
    status: item.status as AnalysisStatus,
    createdAt: String(item.createdAt),
  };
  if (typeof item.branch === 'string') summary.branch = item.branch;
  if (typeof item.commit === 'string') summary.commit = item.commit;
  if (typeof item.completedAt === 'string') summary.completedAt = item.completedAt;
  if (typeof item.error === 'string') summary.error = item.error;
  const counts = findingCounts(item.findingCounts);
  if (counts) summary.findingCounts = counts;
  return summary;
}

function findingCounts(value: unknown): FindingCounts | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const counts = { error: 0, warning: 0, info: 0 } as FindingCounts;
  for (const s of SEVERITIES) {
    const n = v[s];
    if (typeof n === 'number' && Number.isFinite(n)) counts[s] = n;
  }
  return counts;
}

/** The repo's gate settings: `PK = T#{tenant}#R#{repo}`, `SK = GATE` (beside its baseline pointers). */
function gateKey(tenant: string, repo: string) {
  return { PK: ddbKeys.baseline(tenant, repo, '').PK, SK: 'GATE' };
}
