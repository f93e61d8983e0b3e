// The admin API's served OpenAPI document against the code: the routes the admin app
// registers and the ones it documents are the same; the document needs no token, the API does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { Probes } from '@faultline/kit/probes';
import { assertDocumentMatchesRoutes } from '@faultline/kit/testing/openapi-drift';
import { parseGatewayConfig } from '../src/config.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { ADMIN_TOKEN, send, startBackend, staticUpstream, type TestBackend } from './helpers.js';

let backend: TestBackend;
let gateway: Gateway;
let admin: Server;
let base: string;

before(async () => {
  backend = await startBackend('b1');
  const config = parseGatewayConfig({
    GATEWAY_UPSTREAMS: staticUpstream([backend]),
    GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  const logger = createLogger({ service: 'gateway-test', level: 'silent' });
  gateway = createGateway({
    config,
    logger,
    metrics: createMetrics({ runtime: false }),
    probes: new Probes(),
  });
  await gateway.start();
  admin = gateway.adminApp.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => admin.once('listening', resolve));
  base = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
});
after(async () => {
  admin?.closeAllConnections();
  await new Promise((resolve) => admin?.close(resolve));
  await gateway?.stop();
  await backend?.kill();
});

test('the document names exactly the routes the admin app serves', async () => {
  const r = await send(`${base}/openapi.json`);
  assert.equal(r.status, 200, 'the document needs no token');
  assertDocumentMatchesRoutes(
    r.json as Parameters<typeof assertDocumentMatchesRoutes>[0],
    gateway.adminApp,
  );
});

test('the admin routes need the bearer token the document declares', async () => {
  const doc = (await send(`${base}/openapi.json`)).json as {
    components: { securitySchemes: Record<string, { scheme: string }> };
    paths: Record<string, Record<string, { security?: unknown }>>;
  };
  assert.equal(doc.components.securitySchemes.bearerAuth?.scheme, 'bearer');
  assert.deepEqual(doc.paths['/admin/backends']!.get!.security, [{ bearerAuth: [] }]);
  const r = await send(`${base}/admin/backends`);
  assert.equal(r.status, 401);
  assert.match(String(r.headers['www-authenticate']), /^Bearer realm="faultline-gateway"$/);
  // The token is checked before the body is read: a broken body without it is still 401.
  const broken = await send(`${base}/admin/upstreams/booking/picker`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"picker',
  });
  assert.equal(broken.status, 401);
  const authed = await send(`${base}/admin/backends`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  assert.equal(authed.status, 200);
});
