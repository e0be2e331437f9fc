import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TraceLensError } from '../errors.js';
import type { AnalysisProgress, AnalysisResult, AnalysisStatus } from '../model/report.js';
import { ddbKeys, foldedKey, reportKey } from './keys.js';
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
    try {
      await this.db.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new TraceLensError('conflict', `analysis ${record.id} already exists`, undefined, { cause: err });
      }
      throw err;
    }
  }

  async get(tenant: string, id: string): Promise<AnalysisRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: ddbKeys.analysis(tenant, id), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return this.toRecord(out.Item);
  }

  async start(tenant: string, id: string, from: AnalysisStatus[], startedAt: string): Promise<AnalysisRecord | undefined> {
    const values: Record<string, unknown> = { ':running': 'running', ':startedAt': startedAt, ':zero': 0, ':one': 1 };
    from.forEach((s, i) => (values[`:from${i}`] = s));
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression: `attribute_exists(PK) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          UpdateExpression:
            'SET #status = :running, startedAt = :startedAt, attempts = if_not_exists(attempts, :zero) + :one ' +
            'REMOVE #error, completedAt, progress',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? this.toRecord(out.Attributes) : undefined;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async saveProgress(tenant: string, id: string, progress: AnalysisProgress): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression: '#status = :running',
          UpdateExpression: 'SET progress = :p',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':p': progress, ':running': 'running' },
        }),
      );
    } catch (err) {
      // Progress is advisory: a record that moved on (or was re-run) keeps its own state.
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async complete(
    tenant: string,
    id: string,
    result: AnalysisResult,
    completedAt: string,
    artifacts?: ArtifactBodies,
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
    await this.finish(tenant, id, 'complete', completedAt, result, undefined, artifactKeys);
  }

  async fail(tenant: string, id: string, error: string, completedAt: string, partial?: AnalysisResult): Promise<void> {
    await this.finish(tenant, id, 'failed', completedAt, partial, error);
  }

  private async finish(
    tenant: string,
    id: string,
    status: 'complete' | 'failed',
    completedAt: string,
    result: AnalysisResult | undefined,
    error: string | undefined,
    artifactKeys?: AnalysisRecord['artifactKeys'],
  ): Promise<void> {
    const set = ['#status = :status', 'completedAt = :completedAt'];
    const remove = ['progress'];
    const values: Record<string, unknown> = { ':status': status, ':completedAt': completedAt };
    if (artifactKeys) {
      set.push('artifactKeys = :artifactKeys');
      values[':artifactKeys'] = artifactKeys;
    } else remove.push('artifactKeys');
    if (status === 'complete') values[':running'] = 'running';
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
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.analysis(tenant, id),
          ConditionExpression: status === 'complete' ? '#status = :running' : 'attribute_exists(PK)',
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new TraceLensError('conflict', `analysis ${id} is not running; not marking it ${status}`, undefined, {
          cause: err,
        });
      }
      throw err;
    }
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

  private async toRecord(item: Record<string, unknown>): Promise<AnalysisRecord> {
    const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, GSI2PK: _g3, GSI2SK: _g4, resultJson, resultKey, ...rest } = item;
    const record = rest as unknown as AnalysisRecord;
    record.labels ??= {};
    record.attempts ??= 0;
    if (typeof resultJson === 'string') record.result = JSON.parse(resultJson) as AnalysisResult;
    else if (typeof resultKey === 'string') {
      record.result = JSON.parse(await this.bodies.getReportBody(resultKey)) as AnalysisResult;
    }
    return record;
  }
}
