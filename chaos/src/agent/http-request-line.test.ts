import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpVerdict, parseRequestLine } from './http-request-line.js';
import { seededRandom } from '@faultline/kit/seeded-random';

test('request lines are recognised at the start of a chunk only', () => {
  assert.deepEqual(parseRequestLine(Buffer.from('POST /bookings?x=1 HTTP/1.1\r\nHost: a\r\n')), {
    method: 'POST',
    path: '/bookings',
  });
  assert.equal(parseRequestLine(Buffer.from('{"seatId":"a"}')), undefined);
  assert.equal(parseRequestLine(Buffer.from('GE')), undefined);
  assert.equal(parseRequestLine(Buffer.from('*1\r\n$4\r\nPING\r\n')), undefined);
});

test('verdicts follow route prefix, method and percentage', () => {
  const rule = {
    faultId: 'f',
    experiment: 'e',
    routePrefix: '/api',
    methods: new Set(['GET']),
    percent: 100,
    abortStatus: 503,
    rng: seededRandom(1),
  };
  assert.deepEqual(httpVerdict(rule, { method: 'GET', path: '/api/x' }), { abortStatus: 503 });
  assert.equal(httpVerdict(rule, { method: 'POST', path: '/api/x' }), undefined);
  assert.equal(httpVerdict(rule, { method: 'GET', path: '/other' }), undefined);
  assert.equal(httpVerdict({ ...rule, percent: 0 }, { method: 'GET', path: '/api' }), undefined);
  const { abortStatus: _a, ...delayRule } = rule;
  assert.deepEqual(httpVerdict({ ...delayRule, delayMs: 40 }, { method: 'GET', path: '/api' }), {
    delayMs: 40,
  });
});
