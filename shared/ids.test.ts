import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isId, newId } from './ids.js';

it('ids made in the same millisecond sort in the order they were made', () => {
  const t = Date.UTC(2026, 10, 24);
  const ids = Array.from({ length: 1000 }, () => newId(t));
  assert.ok(ids.every(isId));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  const later = newId(t + 1);
  assert.ok(later > ids.at(-1)!);
  assert.equal(later.slice(0, 10) > ids[0]!.slice(0, 10), true);
});
