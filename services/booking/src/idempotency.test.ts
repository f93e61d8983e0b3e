import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, fingerprint } from './idempotency.js';
import { readCookie } from './sessions.js';

test('canonicalJson: key order does not matter, values do', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] }), '{"a":[{"x":1,"y":2}],"b":1}');
  assert.equal(
    fingerprint('POST', '/bookings', { seatId: 's', userId: 'u' }),
    fingerprint('POST', '/bookings', { userId: 'u', seatId: 's' }),
  );
  assert.notEqual(
    fingerprint('POST', '/bookings', { seatId: 's', userId: 'u' }),
    fingerprint('POST', '/bookings', { seatId: 's', userId: 'v' }),
  );
});

test('readCookie', () => {
  const table: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['booking_session=abc', 'abc'],
    ['a=1; booking_session=abc; b=2', 'abc'],
    ['xbooking_session=abc', undefined],
    ['booking_session', undefined],
  ];
  for (const [header, want] of table)
    assert.equal(readCookie(header, 'booking_session'), want, header);
});
