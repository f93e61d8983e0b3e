import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieValue } from './sticky-sessions.js';

const cases: [string | undefined, string | undefined][] = [
  [undefined, undefined],
  ['', undefined],
  ['gw=abc', 'abc'],
  ['sid=1; gw=abc', 'abc'],
  ['sid=1;gw=abc; x=2', 'abc'],
  ['xgw=nope', undefined],
  ['xgw=nope; gw=yes', 'yes'],
  ['gw=', ''],
];
for (const [header, expected] of cases) {
  test(`cookieValue(${JSON.stringify(header)}) = ${JSON.stringify(expected)}`, () => {
    assert.equal(cookieValue(header, 'gw='), expected);
  });
}
