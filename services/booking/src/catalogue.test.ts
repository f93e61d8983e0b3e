import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalogue, parseShows } from './catalogue.js';

test('parseShows: good and bad lists', () => {
  const table: [string, boolean][] = [
    ['gala:100', true],
    ['gala:100, matinee:5', true],
    ['', false],
    ['gala', false],
    ['Gala:10', false],
    ['gala:0', false],
    ['gala:1,gala:2', false],
    ['a-b:3', false],
  ];
  for (const [text, ok] of table) assert.equal(parseShows(text).ok, ok, text);
  const bad = parseShows('x:0,Y:1');
  assert.equal(bad.ok ? 0 : bad.problems.length, 2, 'every problem is listed');
});

test('showOf: only seats that exist', () => {
  const c = Catalogue.fromText('gala:10,tiny:1');
  const table: [string, string | undefined][] = [
    ['gala-1', 'gala'],
    ['gala-10', 'gala'],
    ['gala-11', undefined],
    ['gala-0', undefined],
    ['gala-01', undefined],
    ['tiny-1', 'tiny'],
    ['opera-1', undefined],
    ['gala', undefined],
    ['gala-1 ', undefined],
  ];
  for (const [seat, show] of table) assert.equal(c.showOf(seat)?.id, show, seat);
  assert.deepEqual(c.seatIds(c.shows.get('gala')!, 9, 5), ['gala-9', 'gala-10']);
});
