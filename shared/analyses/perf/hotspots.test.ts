import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topFunctions } from './hotspots.js';

describe('topFunctions', () => {
  it('ranks leaves by self weight and counts recursion once in total', () => {
    const stacks = new Map([
      ['app;main;work;leaf', 30],
      ['app;main;work;work;leaf', 10],
      ['app;main;io', 5],
      ['app;main', 1],
    ]);
    const top = topFunctions(stacks, { skipFrames: 1 });
    assert.deepEqual(top.slice(0, 3), [
      { name: 'leaf', self: 40, total: 40 },
      { name: 'io', self: 5, total: 5 },
      { name: 'main', self: 1, total: 46 },
    ]);
    assert.deepEqual(top.find((f) => f.name === 'work'), { name: 'work', self: 0, total: 40 });
    assert.equal(top.some((f) => f.name === 'app'), false, 'the process name is skipped');
  });

  it('keeps the heaviest callers by total even when many leaves outrank them by self', () => {
    const stacks = new Map<string, number>();
    for (let i = 0; i < 50; i++) stacks.set(`main;loop;leaf${i}`, 100 - i);
    const top = topFunctions(stacks, { limit: 5 });
    assert.deepEqual(top.slice(0, 5).map((f) => f.name), ['leaf0', 'leaf1', 'leaf2', 'leaf3', 'leaf4']);
    const all = [...stacks.values()].reduce((a, b) => a + b, 0);
    assert.deepEqual(top.find((f) => f.name === 'main'), { name: 'main', self: 0, total: all });
    assert.deepEqual(top.find((f) => f.name === 'loop'), { name: 'loop', self: 0, total: all });
  });
});
