import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from './rng.js';

test('the same seed replays the same sequence; another seed differs', () => {
  const a = seededRng(42);
  const b = seededRng(42);
  const c = seededRng(43);
  const sa = Array.from({ length: 20 }, a);
  assert.deepEqual(Array.from({ length: 20 }, b), sa);
  assert.notDeepEqual(Array.from({ length: 20 }, c), sa);
});

test('values lie in [0, 1) and a 30% threshold selects about 30%', () => {
  const r = seededRng(7);
  let hits = 0;
  for (let i = 0; i < 10_000; i++) {
    const v = r();
    assert.ok(v >= 0 && v < 1);
    if (v < 0.3) hits++;
  }
  assert.ok(hits > 2700 && hits < 3300, `hits=${hits}`);
});
