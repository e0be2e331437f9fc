import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateKey, parseKey, secretMatches, type Scope } from '../auth/api-keys.js';
import { TraceLensError } from '../errors.js';
import { ifConditionFails } from './conditions.js';
import { ddbKeys } from './keys.js';

/** A key as listed: never the secret, nor its hash. */
export interface ApiKeyInfo {
  keyId: string;
  tenant: string;
  scopes: Scope[];
  name?: string;
  createdAt: string;
  revokedAt?: string;
}

export interface Principal {
  keyId: string;
  tenant: string;
  scopes: Scope[];
}

export interface ApiKeyStore {
  /** Creates a key; the only time its secret is known. */
  create(tenant: string, scopes: Scope[], name: string | undefined, createdAt: string): Promise<{ key: string; info: ApiKeyInfo }>;
  list(tenant?: string): Promise<ApiKeyInfo[]>;
  revoke(keyId: string, revokedAt: string): Promise<void>;
  /** The principal of a presented key; undefined for unknown, revoked or wrong keys (no reason given). */
  verify(presented: string): Promise<Principal | undefined>;
}

/** API keys in the single table: `PK = K#{keyId}`, `SK = K` (SPEC §8). */
export class DynamoApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(tenant: string, scopes: Scope[], name: string | undefined, createdAt: string) {
    if (!/^[\w.-]{1,64}$/.test(tenant)) throw new TraceLensError('invalid_request', `tenant "${tenant}" must be 1-64 of letters, digits, . _ -`);
    const { key, keyId, secretHash } = generateKey();
    const info: ApiKeyInfo = { keyId, tenant, scopes, createdAt, ...(name ? { name } : {}) };
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...ddbKeys.apiKey(keyId), ...info, secretHash },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return { key, info };
  }

  async list(tenant?: string): Promise<ApiKeyInfo[]> {
    const out: ApiKeyInfo[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: tenant ? 'SK = :k AND tenant = :t' : 'SK = :k',
          ExpressionAttributeValues: { ':k': 'K', ...(tenant ? { ':t': tenant } : {}) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(toInfo(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revoke(keyId: string, revokedAt: string): Promise<void> {
    await ifConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ddbKeys.apiKey(keyId),
          ConditionExpression: 'attribute_exists(PK)',
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ExpressionAttributeValues: { ':at': revokedAt },
        }),
      ),
      (err) => {
        throw new TraceLensError('not_found', `no API key ${keyId}`, undefined, { cause: err });
      },
    );
  }

  async verify(presented: string): Promise<Principal | undefined> {
    const parsed = parseKey(presented);
    if (!parsed) return undefined;
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: ddbKeys.apiKey(parsed.keyId) }));
    const item = out.Item;
    if (!item || item.revokedAt || typeof item.secretHash !== 'string') return undefined;
    if (!secretMatches(parsed.secret, item.secretHash)) return undefined;
    return { keyId: parsed.keyId, tenant: item.tenant as string, scopes: item.scopes as Scope[] };
  }
}

function toInfo(item: Record<string, unknown>): ApiKeyInfo {
  const info: ApiKeyInfo = {
    keyId: item.keyId as string,
    tenant: item.tenant as string,
    scopes: item.scopes as Scope[],
    createdAt: item.createdAt as string,
  };
  if (typeof item.name === 'string') info.name = item.name;
  if (typeof item.revokedAt === 'string') info.revokedAt = item.revokedAt;
  return info;
}
