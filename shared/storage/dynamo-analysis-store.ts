import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TraceLensError } from '../errors.js';
import type { AnalysisProgress, AnalysisResult, AnalysisStatus, Finding } from '../model/report.js';
import { ifConditionFails, unlessConditionFails } from './conditions.js';
import { ddbKeys, foldedKey, timelineKey, reportKey } from './keys.js';
import type { AnalysisRecord, AnalysisStore, ArtifactBodies, ReportBodyStore } from './ports.js';

/** Results above this size go to S3 with a pointer in the item (DynamoDB items are capped at 400 KB). */
export const INLINE_RESULT_MAX_BYTES = 350_000;

/**
 * Analyses in the single DynamoDB table (SPEC §8). Item shape:
 *   PK `T#{tenant}#A#{id}`, SK `A`, GSI1PK `T#{tenant}#R#{repo}`, GSI1SK `{createdAt}#{id}`,
 *   the record's fields, and the result either inline (`resultJson`) or as a pointer (`resultKey`).
 */
export class DynamoAnalysisStore implements AnalysisStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly bodies: ReportBodyStore,
  ) {}

  async create(record: AnalysisRecord): Promise<void> {
    const { result: _result, ...rest } = record;
    const item = {
      ...ddbKeys.analysis(record.tenant, record.id),
      ...(record.repo ? ddbKeys.repoIndex(record.tenant, record.repo, record.createdAt, record.id) : {}),
      ...(record.repo && record.branch ? ddbKeys.branchIndex(record.tenant, record.repo, record.branch, record.createdAt, record.id) : {}),
      ...rest,
    };
    await ifConditionFails(
      this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' })),
      (err) => {
        throw new TraceLensError('conflict', `analysis ${record.id} already exists`, undefined, { cause: err });
      },
    );
  }

  async get(tenant: string, id: string, withResult = true): Promise<AnalysisRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: ddbKeys.analysis(tenant, id), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return this.toRecord(out.Item, withResult);
  }

  async start(
    tenant: string,
    id: string,
    from: AnalysisStatus[],
    startedAt: string,
    leaseUntilMs?: number,
  ): Promise<AnalysisRecord | undefined> {
    const nowMs = Date.parse(startedAt);
    const values: Record<string, unknown> = {
      ':running': 'running',
      ':startedAt': startedAt,
      ':zero': 0,
      ':one': 1,
      ':now': nowMs,
      ':lease': leaseUntilMs ?? nowMs,
    };
    from.forEach((s, i) => (values[`:from${i}`] = s));
    const out = await ifConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          // A running analysis is taken over only when its lease has run out (its attempt died).
          ConditionExpression:
            `attribute_exists(PK) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')}) ` +
            'AND (#status <> :running OR attribute_not_exists(leaseUntilMs) OR leaseUntilMs < :now)',
          UpdateExpression:
            'SET #status = :running, startedAt = :startedAt, attempts = if_not_exists(attempts, :zero) + :one, leaseUntilMs = :lease ' +
            'REMOVE #error, completedAt, progress',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
      () => undefined,
    );
    return out?.Attributes ? this.toRecord(out.Attributes) : undefined;
  }

  async saveProgress(tenant: string, id: string, progress: AnalysisProgress): Promise<void> {
    // Progress is advisory: a record that moved on (or was re-run) keeps its own state.
    await unlessConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression: '#status = :running',
          UpdateExpression: 'SET progress = :p',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':p': progress, ':running': 'running' },
        }),
      ),
    );
  }

  async complete(
    tenant: string,
    id: string,
    result: AnalysisResult,
    completedAt: string,
    artifacts?: ArtifactBodies,
    attempt?: number,
  ): Promise<void> {
    let artifactKeys: AnalysisRecord['artifactKeys'];
    if (artifacts && artifacts.folded.size > 0) {
      const folded: Record<string, string> = {};
      for (const [event, text] of artifacts.folded) {
        const key = foldedKey(tenant, id, event);
        await this.bodies.putArtifact(key, text, 'text/plain; charset=utf-8');
        folded[event] = key;
      }
      artifactKeys = { folded };
    }
    if (artifacts?.timeline) {
      const key = timelineKey(tenant, id);
      await this.bodies.putArtifact(key, artifacts.timeline, 'application/json');
      artifactKeys = { ...artifactKeys, timeline: key };
    }
    // Findings as items before the status flips: a retried attempt rewrites the same keys (ids are
    // stable fingerprints), and findings an earlier run had but this one has not are deleted.
    const current = await this.get(tenant, id, false);
    if (!current || current.status !== 'running' || (attempt !== undefined && current.attempts !== attempt)) {
      throw new TraceLensError('conflict', `analysis ${id} is no longer held by attempt ${attempt ?? '?'}; not completing it`);
    }
    await this.writeFindings(tenant, id, result.findings, current.expiresAt);
    await this.finish(tenant, id, 'complete', completedAt, result, undefined, artifactKeys, attempt);
  }

  async fail(
    tenant: string,
    id: string,
    error: string,
    completedAt: string,
    partial?: AnalysisResult,
    opts: { attempt?: number; unlessComplete?: boolean } = {},
  ): Promise<void> {
    await this.finish(tenant, id, 'failed', completedAt, partial, error, undefined, opts.attempt, opts.unlessComplete);
  }

  async reanalyze(tenant: string, id: string, nowMs: number): Promise<number> {
    const out = await ifConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression:
            'attribute_exists(PK) AND (#status IN (:complete, :failed) OR (#status = :running AND leaseUntilMs < :now))',
          UpdateExpression:
            'SET #status = :pending, generation = if_not_exists(generation, :zero) + :one, attempts = :zero ' +
            'REMOVE #error, completedAt, startedAt, progress, leaseUntilMs',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':complete': 'complete',
            ':failed': 'failed',
            ':running': 'running',
            ':pending': 'pending',
            ':now': nowMs,
            ':zero': 0,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
      async () => {
        const existing = await this.get(tenant, id, false);
        if (!existing) throw new TraceLensError('not_found', `analysis ${id} not found`);
        throw new TraceLensError('conflict', `analysis ${id} is ${existing.status}; re-analyse it once it has finished`, {
          status: existing.status,
        });
      },
    );
    return Number(out.Attributes?.generation ?? 1);
  }

  async expireLease(tenant: string, id: string): Promise<void> {
    await unlessConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression: '#status = :running',
          UpdateExpression: 'SET leaseUntilMs = :zero',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':zero': 0 },
        }),
      ),
    );
  }

  async markUploadCompleted(tenant: string, id: string, completedAt: string): Promise<void> {
    await ifConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression: 'attribute_exists(upload) AND attribute_not_exists(upload.completedAt)',
          UpdateExpression: 'SET upload.completedAt = :at',
          ExpressionAttributeValues: { ':at': completedAt },
        }),
      ),
      (err) => {
        throw new TraceLensError('conflict', `upload ${id} was already completed`, undefined, { cause: err });
      },
    );
  }

  /** Puts the findings as items (BatchWrite, retrying UnprocessedItems) and deletes stale ones. */
  private async writeFindings(tenant: string, id: string, findings: Finding[], expiresAt: number | undefined): Promise<void> {
    const keep = new Set(findings.map((f) => ddbKeys.finding(tenant, id, f.id).SK));
    const stored = await findingKeys(this.db, this.table, ddbKeys.analysis(tenant, id).PK);
    const stale = stored.filter((k) => !keep.has(k.SK));
    const requests = [
      ...findings.map((f) => ({
        PutRequest: {
          Item: { ...ddbKeys.finding(tenant, id, f.id), tenant, analysisId: id, ...(expiresAt ? { expiresAt } : {}), finding: f },
        },
      })),
      ...stale.map((Key) => ({ DeleteRequest: { Key } })),
    ];
    await batchWrite(this.db, this.table, requests);
  }

  private async finish(
    tenant: string,
    id: string,
    status: 'complete' | 'failed',
    completedAt: string,
    result: AnalysisResult | undefined,
    error: string | undefined,
    artifactKeys?: AnalysisRecord['artifactKeys'],
    attempt?: number,
    unlessComplete?: boolean,
  ): Promise<void> {
    const set = ['#status = :status', 'completedAt = :completedAt'];
    const remove = ['progress', 'leaseUntilMs'];
    const values: Record<string, unknown> = { ':status': status, ':completedAt': completedAt };
    if (artifactKeys) {
      set.push('artifactKeys = :artifactKeys');
      values[':artifactKeys'] = artifactKeys;
    } else remove.push('artifactKeys');
    const conditions = ['attribute_exists(PK)'];
    if (status === 'complete') {
      values[':running'] = 'running';
      conditions.push('#status = :running');
    }
    if (attempt !== undefined) {
      values[':attempt'] = attempt;
      conditions.push('attempts = :attempt');
    }
    if (unlessComplete) {
      values[':complete'] = 'complete';
      conditions.push('#status <> :complete');
    }
    if (result) {
      const counts = { error: 0, warning: 0, info: 0 };
      for (const f of result.findings) counts[f.severity]++;
      set.push('findingCounts = :counts');
      values[':counts'] = counts;
    }
    if (error !== undefined) {
      set.push('#error = :error');
      values[':error'] = error;
    } else remove.push('#error');
    if (result) {
      const json = JSON.stringify(result);
      if (Buffer.byteLength(json) > INLINE_RESULT_MAX_BYTES) {
        const key = reportKey(tenant, id);
        await this.bodies.putReportBody(key, json);
        set.push('resultKey = :resultKey');
        values[':resultKey'] = key;
        remove.push('resultJson');
      } else {
        set.push('resultJson = :resultJson');
        values[':resultJson'] = json;
        remove.push('resultKey');
      }
    }
    await ifConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression: conditions.join(' AND '),
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: values,
        }),
      ),
      (err) => {
        throw new TraceLensError('conflict', `analysis ${id} is not held by this attempt; not marking it ${status}`, undefined, {
          cause: err,
        });
      },
    );
  }

  /**
   * Analyses still `pending` or `running`, for the local service to re-drive after a restart (on AWS,
   * SQS redelivery does this). A full-table scan: meant for the embedded store, not for production.
   */
  async scanUnfinished(): Promise<Array<{ tenant: string; id: string; archiveKey: string }>> {
    const out: Array<{ tenant: string; id: string; archiveKey: string }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'SK = :a AND #status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status', '#archive': 'archive' },
          ExpressionAttributeValues: { ':a': 'A', ':pending': 'pending', ':running': 'running' },
          ProjectionExpression: 'tenant, id, #archive',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        out.push({ tenant: item.tenant, id: item.id, archiveKey: item.archive?.key });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async toRecord(item: Record<string, unknown>, withResult = true): Promise<AnalysisRecord> {
    const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, GSI2PK: _g3, GSI2SK: _g4, resultJson, resultKey, ...rest } = item;
    const record = rest as unknown as AnalysisRecord;
    record.labels ??= {};
    record.attempts ??= 0;
    if (!withResult) return record;
    if (typeof resultJson === 'string') record.result = JSON.parse(resultJson) as AnalysisResult;
    else if (typeof resultKey === 'string') {
      record.result = JSON.parse(await this.bodies.getReportBody(resultKey)) as AnalysisResult;
    }
    return record;
  }
}

/**
 * The keys of an analysis's finding items (`SK F#…` in its partition), every page; with `withAttribute`,
 * only those that have it.
 */
export async function findingKeys(
  db: DynamoDBDocumentClient,
  table: string,
  pk: string,
  withAttribute?: string,
): Promise<Array<{ PK: string; SK: string }>> {
  const keys: Array<{ PK: string; SK: string }> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :f)',
        ...(withAttribute ? { FilterExpression: 'attribute_exists(#a)', ExpressionAttributeNames: { '#a': withAttribute } } : {}),
        ExpressionAttributeValues: { ':pk': pk, ':f': ddbKeys.findingPrefix },
        ProjectionExpression: 'PK, SK',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) keys.push({ PK: item.PK as string, SK: item.SK as string });
    start = page.LastEvaluatedKey;
  } while (start);
  return keys;
}

const BATCH = 25;

/** BatchWrite in chunks of 25, retrying UnprocessedItems with backoff (DynamoDB may accept part of a batch). */
export async function batchWrite(db: DynamoDBDocumentClient, table: string, requests: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH) {
    let pending: Array<Record<string, unknown>> = requests.slice(i, i + BATCH);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= 8) throw new TraceLensError('internal', `BatchWrite left ${pending.length} items unprocessed after ${round} rounds`);
      if (round > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** round)));
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = (out.UnprocessedItems?.[table] as Array<Record<string, unknown>> | undefined) ?? [];
    }
  }
}
