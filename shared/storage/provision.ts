import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  PutItemCommand,
  ScanCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { BRANCH_INDEX, ddbKeys, REPO_INDEX } from './keys.js';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Creates the table and the bucket when they are missing: for the embedded stores only (on AWS the
 * CDK stack owns them). The table's key schema mirrors infra/ (PK/SK, GSI1 on GSI1PK/GSI1SK, GSI2 on GSI2PK/GSI2SK).
 */
export async function ensureTable(db: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
    // A table made by an older version (a local .data/ from before GSI2): dynalite cannot add an index
    // to a table, so the items are copied into a table of the current schema.
    if (!Table?.GlobalSecondaryIndexes?.some((g) => g.IndexName === BRANCH_INDEX)) await rebuildTable(db, tableName);
    // Another process may have just created it.
    else if (Table.TableStatus !== 'ACTIVE') await waitForTable(db, tableName, 'active');
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  await createTable(db, tableName);
}

/** Scan → delete → create with the current schema → put back (emulator data only: small). */
async function rebuildTable(db: DynamoDBClient, tableName: string): Promise<void> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  await db.send(new DeleteTableCommand({ TableName: tableName }));
  // dynalite drops the table's entry on a timer after DeleteTable answers: a table created before that
  // timer runs is deleted with it. Wait until the old one is gone.
  await waitForTable(db, tableName, 'gone');
  await createTable(db, tableName);
  for (const item of items) {
    // Analyses from before GSI2 get their branch-index keys.
    const str = (k: string) => item[k]?.S;
    if (str('SK') === 'A' && str('tenant') && str('repo') && str('branch') && str('createdAt') && str('id') && !item.GSI2PK) {
      const k = ddbKeys.branchIndex(str('tenant')!, str('repo')!, str('branch')!, str('createdAt')!, str('id')!);
      item.GSI2PK = { S: k.GSI2PK };
      item.GSI2SK = { S: k.GSI2SK };
    }
    await db.send(new PutItemCommand({ TableName: tableName, Item: item }));
  }
}

async function createTable(db: DynamoDBClient, tableName: string): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'GSI1PK', AttributeType: 'S' },
        { AttributeName: 'GSI1SK', AttributeType: 'S' },
        { AttributeName: 'GSI2PK', AttributeType: 'S' },
        { AttributeName: 'GSI2SK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [globalIndex(REPO_INDEX), globalIndex(BRANCH_INDEX)],
    }),
  );
  // A table is CREATING for a moment (on a timer in dynalite, on AWS for seconds); reads and writes
  // before it is ACTIVE fail with ResourceNotFoundException.
  await waitForTable(db, tableName, 'active');
}

/** Polls DescribeTable until the table (and its indexes) is ACTIVE, or until it no longer exists. */
export async function waitForTable(db: DynamoDBClient, tableName: string, until: 'active' | 'gone', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 250)) {
    try {
      const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
      const ready = Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
      if (until === 'active' && ready) return;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      if (until === 'gone') return;
    }
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ${until === 'active' ? 'ACTIVE' : 'deleted'} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** A GSI of the table: `{name}PK` hash, `{name}SK` range, every attribute projected. */
export function globalIndex(name: string) {
  return {
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}PK`, KeyType: 'HASH' as const },
      { AttributeName: `${name}SK`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}

export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}
