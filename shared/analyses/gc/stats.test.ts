import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binomialLogPmf, binomialUpperTail, logFactorial, mulberry32 } from './stats.js';

/** Brute force: P(X >= x) from Pascal's triangle and direct powers. */
function bruteUpper(k: number, x: number, p: number): number {
  let row = [1];
  for (let i = 0; i < k; i++) {
    const next = [1];
    for (let j = 1; j < row.length; j++) next.push(row[j - 1]! + row[j]!);
    next.push(1);
    row = next;
  }
  let s = 0;
  for (let i = Math.max(0, x); i <= k; i++) s += row[i]! * p ** i * (1 - p) ** (k - i);
  return s;
}

function close(a: number, b: number, rel: number, msg?: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300), `${msg ?? ''} ${a} vs ${b}`);
}

test('logFactorial: exact sum below 256, Stirling above', () => {
  let s = 0;
  for (let n = 1; n <= 2000; n++) {
    s += Math.log(n);
    close(logFactorial(n), s, 1e-13, `n=${n}`);
  }
  assert.equal(logFactorial(0), 0);
});

test('binomialUpperTail matches brute force for small k', () => {
  for (const k of [1, 2, 5, 10, 17, 30, 50]) {
    for (const p of [0.001, 0.05, 0.3, 0.5, 0.77, 0.99]) {
      for (let x = 0; x <= k + 1; x++) {
        const want = bruteUpper(k, x, p);
        const got = binomialUpperTail(k, x, p);
        assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(want, 1e-300) + 1e-15, `k=${k} x=${x} p=${p}: ${got} vs ${want}`);
      }
    }
  }
});

test('binomialUpperTail edge cases', () => {
  assert.equal(binomialUpperTail(10, 0, 0.3), 1);
  assert.equal(binomialUpperTail(10, 11, 0.3), 0);
  assert.equal(binomialUpperTail(10, 1, 0), 0);
  assert.equal(binomialUpperTail(10, 10, 1), 1);
  assert.equal(binomialUpperTail(0, 0, 0.5), 1);
  // All of 1000 at p = 0.5: 2^-1000, far below anything a naive product could keep.
  close(binomialUpperTail(1000, 1000, 0.5), 2 ** -1000, 1e-10);
  close(binomialUpperTail(20, 20, 0.05), 0.05 ** 20, 1e-12);
});

test('binomialUpperTail is stable and consistent for k in the millions', () => {
  const k = 3_000_000;
  for (const p of [1e-4, 0.01, 0.3]) {
    const mean = k * p;
    const sd = Math.sqrt(k * p * (1 - p));
    for (const z of [-5, -1, 0, 1, 3, 8]) {
      const x = Math.round(mean + z * sd);
      const up = binomialUpperTail(k, x, p);
      // P(X >= x) + P(X <= x - 1) = 1, and P(X <= x - 1) = P(k - X >= k - x + 1) with k - X ~ Bin(k, 1 - p).
      const low = binomialUpperTail(k, k - x + 1, 1 - p);
      assert.ok(up >= 0 && up <= 1 && Number.isFinite(up));
      close(up + low, 1, 1e-9, `p=${p} z=${z}`);
    }
    // Far tail: finite log-space value, not NaN; monotone in x.
    const a = binomialUpperTail(k, Math.round(mean + 20 * sd), p);
    const b = binomialUpperTail(k, Math.round(mean + 30 * sd), p);
    assert.ok(a > 0 && b >= 0 && b < a);
  }
  assert.ok(Number.isFinite(binomialLogPmf(5_000_000, 2_000_000, 0.1)));
});

test('mulberry32 is deterministic', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  for (let i = 0; i < 100; i++) {
    const v = a();
    assert.equal(v, b());
    assert.ok(v >= 0 && v < 1);
  }
});
