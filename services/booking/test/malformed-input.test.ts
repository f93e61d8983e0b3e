// Bad input on every endpoint, hand-picked and property-based (fast-check): malformed JSON,
// wrong types, missing and unknown fields, huge bodies, unknown seats, odd paths, queries and
// cookies. Every answer must be a 4xx with `{error, details:[{path, message}]}` — never a 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { call, startInProcess, type Answer, type InProcessBooking } from './helpers.js';

let redisServer: RedisServer;
let svc: InProcessBooking;

before(async () => {
  redisServer = await startRedis();
  svc = await startInProcess(redisServer.url, { BOOKING_RATE_LIMIT_BURST: '1000000' });
});
after(async () => {
  await svc?.close();
  await redisServer?.stop();
});

interface ErrorBody {
  error?: unknown;
  details?: { path?: unknown; message?: unknown }[];
}

/** A clean client error: 4xx and a body naming what was wrong. */
function assertClientError(a: Answer<ErrorBody>, what: string, path?: string): void {
  assert.ok(
    a.status >= 400 && a.status < 500,
    `${what}: got ${a.status} ${JSON.stringify(a.body)}`,
  );
  assert.equal(typeof a.body.error, 'string', `${what}: error code`);
  assert.ok(Array.isArray(a.body.details) && a.body.details.length > 0, `${what}: details`);
  for (const d of a.body.details) {
    assert.equal(typeof d.path, 'string');
    assert.equal(typeof d.message, 'string');
  }
  if (path) {
    assert.ok(
      a.body.details.some((d) => d.path === path),
      `${what}: expected a detail for ${path}: ${JSON.stringify(a.body)}`,
    );
  }
}

const post = (path: string, body: string, contentType = 'application/json') =>
  call<ErrorBody>(svc.url, 'POST', path, body, { 'content-type': contentType }, true);

test('hand-picked bad bookings name the problem', async () => {
  const cases: [string, string, number, string?][] = [
    ['malformed JSON', '{"seatId": ', 400, 'body'],
    ['not an object', '[1,2,3]', 400, 'body'],
    ['null', 'null', 400, 'body'],
    ['missing userId', '{"seatId":"gala-1"}', 400, 'userId'],
    ['missing seatId', '{"userId":"u"}', 400, 'seatId'],
    ['wrong type', '{"seatId":17,"userId":"u"}', 400, 'seatId'],
    ['unknown field', '{"seatId":"gala-1","userId":"u","price":0}', 400],
    ['bad user id', '{"seatId":"gala-1","userId":"a b"}', 400, 'userId'],
    ['unknown seat', '{"seatId":"gala-999","userId":"u"}', 404, 'seatId'],
    ['unknown show', '{"seatId":"opera-1","userId":"u"}', 404, 'seatId'],
    [
      'huge body',
      JSON.stringify({ seatId: 'gala-1', userId: 'u', pad: 'x'.repeat(100_000) }),
      413,
      'body',
    ],
  ];
  for (const [what, body, status, path] of cases) {
    const a = await post('/bookings', body);
    assert.equal(a.status, status, `${what}: ${JSON.stringify(a.body)}`);
    assertClientError(a, what, path);
  }
  assertClientError(
    await post('/bookings', 'seatId=gala-1', 'text/plain'),
    'text/plain body',
    'body',
  );
  assertClientError(await post('/sessions', '{"userId":5}'), 'session wrong type', 'userId');
  assertClientError(await post('/sessions', '{'), 'session malformed', 'body');
});

test('hand-picked bad reads name the problem', async () => {
  const get = (path: string) => call<ErrorBody>(svc.url, 'GET', path);
  assertClientError(await get('/seats/gala-0'), 'seat 0', 'seatId');
  assertClientError(await get('/seats/nope'), 'bad seat id', 'seatId');
  assertClientError(await get('/shows/opera/seats'), 'unknown show', 'showId');
  assertClientError(await get('/shows/gala/seats?limit=0'), 'limit 0', 'query.limit');
  assertClientError(await get('/shows/gala/seats?offset=-1'), 'negative offset', 'query.offset');
  assertClientError(await get('/shows/gala/seats?limit=abc'), 'limit abc', 'query.limit');
  assertClientError(await get('/bookings/not-a-uuid'), 'bad booking id', 'bookingId');
  assertClientError(
    await get('/bookings/7d3c1e2a-1111-4222-8333-444455556666'),
    'unknown booking',
    'bookingId',
  );
  const cancel = await call<ErrorBody>(
    svc.url,
    'POST',
    '/bookings/7d3c1e2a-1111-4222-8333-444455556666/cancel',
  );
  assert.equal(cancel.status, 404);
  assertClientError(await get('/sessions/me'), 'no cookie', 'cookie.booking_session');
  const unknown = await call<ErrorBody>(svc.url, 'GET', '/sessions/me', undefined, {
    cookie: 'booking_session=zzz',
  });
  assertClientError(unknown, 'unknown session', 'cookie.booking_session');
  assertClientError(await call<ErrorBody>(svc.url, 'PUT', '/bookings'), 'wrong method', 'method');
});

test('property: any JSON body to POST /bookings and /sessions is a named 4xx or a booking', async () => {
  const field = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom('gala-1', 'gala-100', 'gala-101', 'x', ''),
  );
  const body = fc.oneof(
    fc.jsonValue(),
    fc.record({ seatId: field, userId: field }, { requiredKeys: [] }),
    fc.record({ seatId: field, userId: field, extra: fc.jsonValue() }),
  );
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom('/bookings', '/sessions'), async (value, path) => {
      const a = await post(path, JSON.stringify(value) ?? 'null');
      if (a.status === 201 || (path === '/bookings' && (a.status === 409 || a.status === 423)))
        return;
      assertClientError(a, `${path} ${JSON.stringify(value)}`);
    }),
    { numRuns: 200 },
  );
});

test('property: any text as a body is never a 500', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
      const a = await post('/bookings', text);
      if (a.status === 201 || a.status === 409 || a.status === 423) return;
      assertClientError(a, `text ${JSON.stringify(text)}`);
    }),
    { numRuns: 150 },
  );
});

test('property: any path segment, query and cookie on the read endpoints is never a 500', async () => {
  const segment = fc.string({ minLength: 1, maxLength: 80 });
  await fc.assert(
    fc.asyncProperty(
      segment,
      fc.constantFrom('/seats/', '/bookings/', '/shows/', 'POST /bookings/', 'cookie'),
      fc.dictionary(fc.constantFrom('offset', 'limit', 'x'), fc.string({ maxLength: 12 })),
      async (s, where, query) => {
        let encoded: string;
        try {
          encoded = encodeURIComponent(s);
        } catch {
          return; // lone surrogates cannot be put in a URL at all
        }
        let a: Answer<ErrorBody>;
        if (where === 'cookie') {
          a = await call<ErrorBody>(svc.url, 'GET', '/sessions/me', undefined, {
            cookie: `booking_session=${encoded}`,
          });
        } else if (where === '/shows/') {
          const qs = new URLSearchParams(query).toString();
          a = await call<ErrorBody>(svc.url, 'GET', `/shows/${encoded}/seats?${qs}`);
        } else if (where.startsWith('POST')) {
          a = await call<ErrorBody>(svc.url, 'POST', `/bookings/${encoded}/cancel`);
        } else {
          a = await call<ErrorBody>(svc.url, 'GET', `${where}${encoded}`);
        }
        if (a.status === 200) return;
        assertClientError(a, `${where} ${JSON.stringify(s)} ${JSON.stringify(query)}`);
      },
    ),
    { numRuns: 300 },
  );
});
