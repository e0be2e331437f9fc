import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEventKey, encodeEventKey, objectsCreated } from './queue-messages.js';

describe('queue messages', () => {
  it('decodes S3 event keys the way S3 encodes them (+ for space, %XX)', () => {
    assert.equal(decodeEventKey('archives/my+tenant/a%3Ab%2Bc/archive'), 'archives/my tenant/a:b+c/archive');
    for (const key of ['archives/local/01J/archive', 'archives/a b/c+d:e/archive', 'archives/ü/ß/archive']) {
      assert.equal(decodeEventKey(encodeEventKey(key)), key);
    }
  });

  it('reads ObjectCreated records and skips other events and test events', () => {
    const body = JSON.stringify({
      Records: [
        { eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'archives/t/i/archive', size: 5, eTag: 'e' } } },
        { eventSource: 'aws:s3', eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'b' }, object: { key: 'archives/t/j/archive' } } },
      ],
    });
    assert.deepEqual(objectsCreated({ messageId: 'm', body }), [
      { bucket: 'b', key: 'archives/t/i/archive', size: 5, etag: 'e', eventName: 'ObjectCreated:Put' },
    ]);
    assert.deepEqual(objectsCreated({ messageId: 'm', body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }) }), []);
    assert.throws(() => objectsCreated({ messageId: 'm', body: '{' }), /message m: body is not JSON/);
    assert.throws(() => objectsCreated({ messageId: 'm', body: '{"x":1}' }), /no Records/);
  });
});
