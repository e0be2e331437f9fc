import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putIf, unlessConditionFails } from './conditions.js';
import { ddbKeys } from './keys.js';
import type { ClaimOutcome, IdempotencyKey, IdempotencyStore } from './ports.js';

/** Idempotency records live a week: far longer than SQS keeps a message (4 days) plus its DLQ stay. */
const RECORD_TTL_S = 7 * 24 * 3600;

/**
 * Idempotency records in the single table (SPEC §8): `PK = I#{bucket}/{key}#{etag}#{generation}`, `SK = I`,
 * `state` claimed|done, `leaseUntilMs`, the analysis it is for, and a TTL. A conditional Put is the claim,
 * so of concurrent duplicate deliveries exactly one wins.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(key: IdempotencyKey, ref: { tenant: string; id: string }, nowMs: number, leaseMs: number): Promise<ClaimOutcome> {
    const k = this.keyOf(key);
    const claimed = await putIf(this.db, {
      TableName: this.table,
      Item: {
        ...k,
        state: 'claimed',
        tenant: ref.tenant,
        analysisId: ref.id,
        leaseUntilMs: nowMs + leaseMs,
        claimedAt: new Date(nowMs).toISOString(),
        expiresAt: Math.floor(nowMs / 1000) + RECORD_TTL_S,
      },
      ConditionExpression: 'attribute_not_exists(PK) OR (#state = :claimed AND leaseUntilMs < :now)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':claimed': 'claimed', ':now': nowMs },
    });
    if (claimed) return 'claimed';
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: k, ConsistentRead: true }));
    return out.Item?.state === 'done' ? 'done' : 'held';
  }

  async done(key: IdempotencyKey): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.keyOf(key),
        UpdateExpression: 'SET #state = :done REMOVE leaseUntilMs',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done' },
      }),
    );
  }

  async release(key: IdempotencyKey): Promise<void> {
    await unlessConditionFails(
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.keyOf(key),
          ConditionExpression: '#state = :claimed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      ),
    );
  }

  private keyOf(k: IdempotencyKey) {
    return ddbKeys.idempotency(k.bucket, k.key, k.etag.replace(/"/g, ''), k.generation);
  }
}
