// The DynamoDB adapter against dynalite: conditional creates, guarded status transitions, and results
// above the item size limit moved to S3 behind a pointer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStores, type TestStores } from '../../test/helpers/stores.js';
import { newId } from '../ids.js';
import { emptyResult } from '../model/report.js';
import { INLINE_RESULT_MAX_BYTES } from './dynamo-analysis-store.js';
import { ddbKeys } from './keys.js';
import type { AnalysisRecord } from './ports.js';

let stores: TestStores;

function record(id = newId()): AnalysisRecord {
  return {
    tenant: 't1',
    id,
    repo: 'acme/probe',
    labels: { ci: 'yes' },
    status: 'pending',
    createdAt: new Date().toISOString(),
    attempts: 0,
    archive: { key: `archives/t1/${id}/archive` },
  };
}

describe('DynamoAnalysisStore', () => {
  before(async () => {
    stores = await startTestStores();
  });
  after(async () => stores?.stop());

  it('creates once; a second create of the same id is a conflict', async () => {
    const r = record();
    await stores.analyses.create(r);
    await assert.rejects(stores.analyses.create(r), { code: 'conflict' });
    const got = await stores.analyses.get('t1', r.id);
    assert.equal(got?.status, 'pending');
    assert.deepEqual(got?.labels, { ci: 'yes' });
    assert.equal(await stores.analyses.get('other-tenant', r.id), undefined);
  });

  it('guards transitions: start only from the given states, complete only while running', async () => {
    const r = record();
    await stores.analyses.create(r);
    await assert.rejects(stores.analyses.complete('t1', r.id, emptyResult(), new Date().toISOString()), {
      code: 'conflict',
    });
    const started = await stores.analyses.start('t1', r.id, ['pending'], new Date().toISOString());
    assert.equal(started?.status, 'running');
    assert.equal(started?.attempts, 1);
    assert.equal(await stores.analyses.start('t1', r.id, ['pending'], new Date().toISOString()), undefined);
    const retried = await stores.analyses.start('t1', r.id, ['pending', 'running'], new Date().toISOString());
    assert.equal(retried?.attempts, 2);
    await stores.analyses.complete('t1', r.id, emptyResult(), new Date().toISOString());
    assert.equal(await stores.analyses.start('t1', r.id, ['pending', 'running'], new Date().toISOString()), undefined);
    assert.equal((await stores.analyses.get('t1', r.id))?.status, 'complete');
    assert.equal(await stores.analyses.start('t1', newId(), ['pending'], new Date().toISOString()), undefined);
  });

  it('keeps small results inline and moves large ones to S3 behind a pointer', async () => {
    const r = record();
    await stores.analyses.create(r);
    await stores.analyses.start('t1', r.id, ['pending'], new Date().toISOString());
    const big = emptyResult();
    const warning = 'w'.repeat(1000);
    for (let i = 0; i * 1000 < INLINE_RESULT_MAX_BYTES + 10_000; i++) {
      big.inputs.push({ name: `entry-${i}`, kind: 'unknown', bytes: i, warnings: [warning] });
    }
    await stores.analyses.complete('t1', r.id, big, new Date().toISOString());
    const item = await stores.db.send(new GetCommand({ TableName: stores.config.tableName, Key: ddbKeys.analysis('t1', r.id) }));
    assert.equal(item.Item?.resultJson, undefined);
    assert.equal(item.Item?.resultKey, `reports/t1/${r.id}.json`);
    const got = await stores.analyses.get('t1', r.id);
    assert.equal(got?.result?.inputs.length, big.inputs.length);
    assert.equal(got?.result?.inputs.at(-1)?.name, big.inputs.at(-1)?.name);
  });

  it('fails with the reason and the partial result', async () => {
    const r = record();
    await stores.analyses.create(r);
    await stores.analyses.start('t1', r.id, ['pending'], new Date().toISOString());
    const partial = emptyResult();
    partial.inputs.push({ name: 'a.txt', kind: 'gctrace', bytes: 10, warnings: [] });
    await stores.analyses.fail('t1', r.id, 'b.txt (byte 7): gzip stream truncated', new Date().toISOString(), partial);
    const got = await stores.analyses.get('t1', r.id);
    assert.equal(got?.status, 'failed');
    assert.equal(got?.error, 'b.txt (byte 7): gzip stream truncated');
    assert.deepEqual(got?.result?.inputs.map((i) => i.name), ['a.txt']);
  });
});
