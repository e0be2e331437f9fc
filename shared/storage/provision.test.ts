import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClient, documentClient } from './clients.js';
import { startEmbeddedStores } from './embedded.js';
import { ddbKeys, REPO_INDEX } from './keys.js';
import { ensureTable, globalIndex, waitForTable } from './provision.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dir = mkdtempSync(join(tmpdir(), 'tracelens-provision-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('upgrades a local table made before GSI2: same items, branch-index keys added', async () => {
  // Tables stay CREATING/DELETING for 150 ms, as on AWS (for seconds): the upgrade must wait them out
  // (CI caught it writing into a table dynalite was still deleting).
  const embedded = await startEmbeddedStores({ dataDir: dir, tableTransitionMs: 150 });
  const dynamo = createDynamoClient({ region: 'us-east-1', endpoint: embedded.dynamoEndpoint, credentials: embedded.credentials });
  const db = documentClient(dynamo);
  try {
    // The schema of the previous version: PK/SK and GSI1 only.
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'old',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['PK', 'SK', 'GSI1PK', 'GSI1SK'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [globalIndex(REPO_INDEX)],
      }),
    );
    await waitForTable(dynamo, 'old', 'active');
    const item = {
      ...ddbKeys.analysis('local', '01J0000000000000000000000A'),
      ...ddbKeys.repoIndex('local', 'demo', '2026-01-01T00:00:00.000Z', '01J0000000000000000000000A'),
      tenant: 'local',
      id: '01J0000000000000000000000A',
      repo: 'demo',
      branch: 'main',
      createdAt: '2026-01-01T00:00:00.000Z',
      status: 'complete',
    };
    await db.send(new PutCommand({ TableName: 'old', Item: item }));
    await db.send(new PutCommand({ TableName: 'old', Item: { PK: 'K#abc', SK: 'K', tenant: 'local' } }));

    await ensureTable(dynamo, 'old');
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: 'old' }));
    assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort(), ['GSI1', 'GSI2']);
    const byBranch = await db.send(
      new QueryCommand({
        TableName: 'old',
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :p',
        ExpressionAttributeValues: { ':p': 'T#local#R#demo#B#main' },
      }),
    );
    assert.deepEqual(byBranch.Items?.map((i) => [i.id, i.GSI2SK]), [['01J0000000000000000000000A', '2026-01-01T00:00:00.000Z#01J0000000000000000000000A']]);
    const all = await db.send(new ScanCommand({ TableName: 'old' }));
    assert.deepEqual(all.Items?.map((i) => i.PK).sort(), ['K#abc', 'T#local#A#01J0000000000000000000000A']);
    // Idempotent: a second run changes nothing.
    await ensureTable(dynamo, 'old');
  } finally {
    dynamo.destroy();
    await embedded.stop();
  }
});
