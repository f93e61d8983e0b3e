import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, humanSeconds, parseDuration } from './duration.js';

test('durations: one integer and one unit, both ways', () => {
  const table: [string, number | undefined][] = [
    ['5s', 5],
    ['30m', 1800],
    ['1h', 3600],
    ['30d', 2_592_000],
    ['2w', 1_209_600],
    ['1h30m', undefined],
    ['0m', undefined],
    ['1.5h', undefined],
    ['5', undefined],
    ['', undefined],
  ];
  for (const [text, seconds] of table) assert.equal(parseDuration(text), seconds, text);
  assert.deepEqual([5, 60, 3600, 4320, 86_400, 259_200].map(formatDuration), [
    '5s',
    '1m',
    '1h',
    '72m',
    '1d',
    '3d',
  ]);
  assert.throws(() => formatDuration(0.5));
  assert.deepEqual([4.32, 259.2, 9000, 259_200].map(humanSeconds), [
    '4.3 s',
    '4.3 min',
    '2.5 h',
    '3 d',
  ]);
});
