import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CookieJar } from './cookie-jar.js';

test('cookie jar: stores, replaces by name, deletes on Max-Age=0, sends name=value pairs', () => {
  const jar = new CookieJar();
  assert.equal(jar.header(), undefined);
  jar.store(['faultline_gw=b1; Path=/; Max-Age=3600; HttpOnly', 'booking_session=s1; Path=/']);
  assert.equal(jar.header(), 'faultline_gw=b1; booking_session=s1');
  jar.store('faultline_gw=b2; Path=/');
  assert.equal(jar.header(), 'faultline_gw=b2; booking_session=s1');
  jar.store('booking_session=; Max-Age=0');
  assert.equal(jar.header(), 'faultline_gw=b2');
  assert.equal(jar.has('booking_session'), false);
});
