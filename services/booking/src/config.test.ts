import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConfigError } from '@faultline/kit/config';
import { parseBookingConfig } from './config.js';

test('defaults: fencing on, stall off, memory sessions', () => {
  const c = parseBookingConfig({});
  assert.equal(c.FENCING, true);
  assert.equal(c.TEST_STALL_MS, 0);
  assert.equal(c.SESSION_STORE, 'memory');
  assert.ok(c.INSTANCE.length > 0);
});

test('every bad variable is listed by its full name', () => {
  try {
    parseBookingConfig({
      BOOKING_FENCING: 'maybe',
      BOOKING_LOCK_TTL_MS: '-1',
      BOOKING_SESSION_STORE: 'disk',
    });
    assert.fail('should have thrown');
  } catch (e) {
    assert.ok(isConfigError(e));
    const text = e.problems.join('\n');
    for (const name of ['BOOKING_FENCING', 'BOOKING_LOCK_TTL_MS', 'BOOKING_SESSION_STORE']) {
      assert.match(text, new RegExp(name));
    }
  }
  assert.throws(() => parseBookingConfig({ BOOKING_SHOWS: 'x:0' }), /BOOKING_SHOWS/);
});
