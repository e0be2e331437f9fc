import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putIf, unlessConditionFails } from './conditions.js';
import { ddbKeys } from './keys.js';
import type { RequestKeyBinding, RequestKeyStore } from './ports.js';

/** How long a key is remembered: a client retries within minutes; a day covers a CI job re-run by hand. */
export const REQUEST_KEY_TTL_S = 24 * 3600;

/**
 * `Idempotency-Key` bindings in the single table (SPEC §8): `PK = T#{tenant}#RK#{key}`, `SK = RK`, the
 * analysis id, the request's fingerprint and a TTL. The conditional Put is the binding.
 */
export class DynamoRequestKeyStore implements RequestKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async bind(tenant: string, key: string, binding: RequestKeyBinding, nowMs: number): Promise<RequestKeyBinding | undefined> {
    const k = ddbKeys.requestKey(tenant, key);
    // The binding may be unbound between our failed Put and the Get: then try the Put again.
    for (let attempt = 1; ; attempt++) {
      const bound = await putIf(this.db, {
        TableName: this.table,
        Item: {
          ...k,
          tenant,
          analysisId: binding.analysisId,
          fingerprint: binding.fingerprint,
          boundAt: new Date(nowMs).toISOString(),
          expiresAt: Math.floor(nowMs / 1000) + REQUEST_KEY_TTL_S,
        },
        // An expired binding DynamoDB's TTL has not swept yet counts as gone.
        ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
      });
      if (bound) return undefined;
      const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: k, ConsistentRead: true }));
      if (Item) return { analysisId: String(Item.analysisId), fingerprint: String(Item.fingerprint) };
      if (attempt >= 3) throw new Error(`Idempotency-Key ${key}: bound and unbound again three times in a row`);
    }
  }

  async unbind(tenant: string, key: string, analysisId: string): Promise<void> {
    await unlessConditionFails(
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: ddbKeys.requestKey(tenant, key),
          ConditionExpression: 'analysisId = :id',
          ExpressionAttributeValues: { ':id': analysisId },
        }),
      ),
    );
  }
}
