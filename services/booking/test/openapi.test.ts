// The served OpenAPI document against the code: every route the app registers is documented
// and every documented route is served; parameters are the zod schemas the routes parse with.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OpenApiDocument } from '@faultline/kit/openapi-document';
import { assertDocumentMatchesRoutes } from '@faultline/kit/testing/openapi-drift';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { call, startInProcess, type InProcessBooking } from './helpers.js';

let redisServer: RedisServer;
let svc: InProcessBooking;

before(async () => {
  redisServer = await startRedis();
  svc = await startInProcess(redisServer.url, { BOOKING_SHOWS: 'gala:120' });
});
after(async () => {
  await svc?.close();
  await redisServer?.stop();
});

test('the document names exactly the routes the app serves', async () => {
  const doc = await call<OpenApiDocument>(svc.url, 'GET', '/openapi.json');
  assert.equal(doc.status, 200);
  assertDocumentMatchesRoutes(doc.body, svc.app);
});

test('the paging bounds in the document are the ones the code enforces', async () => {
  const doc = (await call<OpenApiDocument>(svc.url, 'GET', '/openapi.json')).body;
  const params = doc.paths['/shows/{showId}/seats']!.get!.parameters!;
  const offset = params.find((p) => p.name === 'offset')!.schema;
  assert.equal(offset.maximum, 1_000_000);
  const max = `/shows/gala/seats?offset=${String(offset.maximum)}`;
  assert.equal((await call(svc.url, 'GET', max)).status, 200);
  const over = await call<{ details: { path: string }[] }>(
    svc.url,
    'GET',
    `/shows/gala/seats?offset=${Number(offset.maximum) + 1}`,
  );
  assert.equal(over.status, 400);
  assert.deepEqual(
    over.body.details.map((d) => d.path),
    ['query.offset'],
  );
});
