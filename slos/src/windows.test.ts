// The window sets: the SRE workbook's factors, the game-day constraints against the 2 s scrape
// interval, and detection times from the stated formula.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationSeconds } from './duration.js';
import {
  burnRateFactor,
  detectionSeconds,
  SCRAPE_INTERVAL_SECONDS,
  WINDOW_SETS,
  windowSetsFor,
} from './windows.js';

const pairs = (name: string) =>
  WINDOW_SETS.find((s) => s.name === name)!.windows.map((w) => [
    w.severity,
    w.long,
    w.short,
    w.factor,
  ]);

test('standard windows are the workbook table: 14.4 (1h/5m), 6 (6h/30m), 3 (1d/2h), 1 (3d/6h)', () => {
  assert.deepEqual(pairs('standard'), [
    ['page', '1h', '5m', 14.4],
    ['page', '6h', '30m', 6],
    ['ticket', '1d', '2h', 3],
    ['ticket', '3d', '6h', 1],
  ]);
});

test('game-day windows: 60× compressed, same factors, long >= 4 scrapes, short = long/12 >= 2 scrapes', () => {
  const gameday = WINDOW_SETS.find((s) => s.name === 'gameday')!;
  assert.equal(gameday.period, '12h');
  assert.deepEqual(pairs('gameday'), [
    ['page', '1m', '5s', 14.4],
    ['page', '6m', '30s', 6],
    ['ticket', '24m', '2m', 3],
    ['ticket', '72m', '6m', 1],
  ]);
  for (const w of gameday.windows) {
    const long = durationSeconds(w.long);
    assert.ok(long >= 4 * SCRAPE_INTERVAL_SECONDS, `${w.long} >= 4 scrapes`);
    assert.equal(durationSeconds(w.short) * 12, long, `${w.short} = ${w.long} / 12`);
    assert.ok(
      durationSeconds(w.short) >= 2 * SCRAPE_INTERVAL_SECONDS,
      `${w.short} holds 2 samples`,
    );
    assert.equal(w.factor, burnRateFactor(w.budgetShare, durationSeconds(gameday.period), long));
  }
});

test('factors follow the SLO period: 28 days gives 13.44 for the fast page', () => {
  const standard = windowSetsFor('28d')[0]!;
  assert.equal(standard.windows[0]!.factor, 13.44);
});

test('detection time = factor × budget × long ÷ error ratio; never below the threshold', () => {
  const [fast] = WINDOW_SETS.find((s) => s.name === 'gameday')!.windows;
  // 99.5 %: a total outage pages in 4.32 s, well within a minute.
  assert.equal(Number(detectionSeconds(fast!, 0.005, 1).toFixed(6)), 4.32);
  assert.equal(Number(detectionSeconds(fast!, 0.005, 0.1).toFixed(6)), 43.2);
  assert.equal(detectionSeconds(fast!, 0.005, 0.072), Infinity, 'at the threshold it never fires');
});
