import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivalSchedule, constantRate, rampingRate } from './arrival-schedule.js';

const all = (s: ReturnType<typeof arrivalSchedule>) => {
  const out: number[] = [];
  for (let i = 0; ; i++) {
    const t = s.dueAt(i);
    if (t === undefined) return out;
    out.push(t);
  }
};

test('constant rate: evenly spaced from 0, exactly rate × duration arrivals', () => {
  const s = arrivalSchedule(constantRate(200, 1000, 30_000));
  const times = all(s);
  assert.equal(times.length, 6000);
  assert.equal(times[0], 0);
  assert.ok(Math.abs(times[1]! - 5) < 1e-9);
  assert.ok(Math.abs(times[5999]! - 29_995) < 1e-6);
});

test('timeUnit: 60 per minute is one per second', () => {
  assert.deepEqual(all(arrivalSchedule(constantRate(60, 60_000, 3000))), [0, 1000, 2000]);
});

test('ramping: 0 → 10/s over 2 s gives 10 arrivals, denser towards the end (k6 semantics)', () => {
  const times = all(arrivalSchedule(rampingRate(0, 1000, [{ target: 10, durationMs: 2000 }])));
  assert.equal(times.length, 10);
  // Cumulative count at t is 2.5 t² (t in s): arrival i is due at sqrt(i / 2.5) s.
  times.forEach((t, i) => assert.ok(Math.abs(t - Math.sqrt(i / 2.5) * 1000) < 1e-6, `${i}: ${t}`));
});

test('ramping stages chain: up, hold, down; the hold is evenly spaced', () => {
  const s = arrivalSchedule(
    rampingRate(0, 1000, [
      { target: 100, durationMs: 1000 },
      { target: 100, durationMs: 1000 },
      { target: 0, durationMs: 1000 },
    ]),
  );
  const times = all(s);
  assert.equal(times.length, 200);
  const hold = times.filter((t) => t >= 1000 && t < 2000);
  assert.equal(hold.length, 100);
  for (let i = 1; i < times.length; i++)
    assert.ok(times[i]! > times[i - 1]!, 'strictly increasing');
});
