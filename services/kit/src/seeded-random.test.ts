import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSeed, seededRandom } from './seeded-random.js';

test('same seed, same sequence; other seed, other sequence; values in [0, 1)', () => {
  const take = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));
  const a = take(42);
  assert.deepEqual(a, take(42));
  assert.notDeepEqual(a, take(43));
  assert.ok(a.every((x) => x >= 0 && x < 1));
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean} near 0.5`);
});

test('random seeds are 32-bit integers', () => {
  const s = randomSeed();
  assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
});
