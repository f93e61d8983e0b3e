import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createHttpApp, registeredRoutes } from './http.js';
import { createLogger } from './logging.js';
import { createMetrics } from './metrics.js';
import { Probes } from './probes.js';
import { ClientError, sendError } from './http-errors.js';

let app: ReturnType<typeof createHttpApp>;
let server: Server;
let faultyServer: Server;
let base: string;
let faultyBase: string;
let authedServer: Server;
let authedBase: string;
const logged: string[] = [];

before(async () => {
  const logger = createLogger({
    service: 't',
    destination: new Writable({ write: (c: Buffer, _e, cb) => (logged.push(c.toString()), cb()) }),
  });
  const probes = new Probes(100);
  probes.addCheck('dep', () => Promise.resolve());
  probes.markStarted();
  // An injected fault that fails every request it sees: probes and /metrics must not see it.
  const fault = (_req: unknown, res: Parameters<typeof sendError>[0]) =>
    sendError(res, 503, 'injected');
  app = createHttpApp(
    { logger, metrics: createMetrics({ runtime: false }), probes, bodyLimit: 64 },
    (r) => {
      r.post('/things', (req, res) => {
        const body = z
          .object({ name: z.string().min(1), qty: z.number().int().positive() })
          .parse(req.body);
        res.status(201).json(body);
      });
      r.get('/conflict', () => {
        throw new ClientError(409, 'taken', [{ path: 'seatId', message: 'already booked' }]);
      });
      r.post('/strict', (req, res) => {
        res.json(z.strictObject({ name: z.string() }).parse(req.body));
      });
      r.get('/boom', () => {
        throw new Error('secret internals at /srv/app.js:42');
      });
    },
  );
  const faulty = createHttpApp(
    { logger, metrics: createMetrics({ runtime: false }), probes, before: [fault] },
    (r) => {
      r.get('/x', (_q, s) => s.json({}));
    },
  );
  // A token check that lets nothing through: only the kit's own paths stay reachable.
  const authed = createHttpApp(
    {
      logger,
      metrics: createMetrics({ runtime: false }),
      probes,
      auth: (_req, res) => sendError(res, 401, 'unauthorized'),
    },
    (r) => {
      r.post('/things', (_q, s) => s.json({}));
    },
  );
  const listen = (a: typeof faulty) =>
    new Promise<Server>((resolve) => {
      const s = a.listen(0, '127.0.0.1', () => resolve(s));
    });
  server = await listen(app);
  faultyServer = await listen(faulty);
  authedServer = await listen(authed);
  authedBase = `http://127.0.0.1:${(authedServer.address() as AddressInfo).port}`;
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  faultyBase = `http://127.0.0.1:${(faultyServer.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => faultyServer.close(() => r()));
  await new Promise<void>((r) => authedServer.close(() => r()));
});

const post = (path: string, body: string, type = 'application/json') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

test('valid input passes', async () => {
  const r = await post('/things', JSON.stringify({ name: 'a', qty: 2 }));
  assert.equal(r.status, 201);
});

test('validation errors name the field', async () => {
  const r = await post('/things', JSON.stringify({ name: '', qty: 'x' }));
  assert.equal(r.status, 400);
  const body = (await r.json()) as { error: string; details: { path: string }[] };
  assert.equal(body.error, 'invalid_request');
  assert.deepEqual(body.details.map((d) => d.path).sort(), ['name', 'qty']);
});

test('malformed JSON is 400, oversized body is 413', async () => {
  const bad = await post('/things', '{"name":');
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: string }).error, 'malformed_json');
  const big = await post('/things', JSON.stringify({ name: 'x'.repeat(500), qty: 1 }));
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as { error: string }).error, 'body_too_large');
});

test('unknown route is 404, wrong method is 405 with Allow', async () => {
  const nf = await fetch(`${base}/nothing`);
  assert.equal(nf.status, 404);
  assert.equal(((await nf.json()) as { error: string }).error, 'not_found');
  const na = await fetch(`${base}/things`, { method: 'DELETE' });
  assert.equal(na.status, 405);
  assert.equal(na.headers.get('allow'), 'POST');
});

/** fetch refuses TRACE (a forbidden method), so this speaks HTTP itself. */
const status = (url: string, method: string) =>
  new Promise<{ status: number; allow: string | undefined }>((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, allow: res.headers.allow });
    });
    req.once('error', reject);
    req.end();
  });

test("the kit's own paths: 405 with Allow for a method they do not serve, HEAD where GET is", async () => {
  for (const path of ['/livez', '/readyz', '/startupz', '/metrics', '/openapi.json']) {
    for (const method of ['TRACE', 'POST', 'DELETE']) {
      assert.deepEqual(
        await status(`${base}${path}`, method),
        { status: 405, allow: 'GET, HEAD' },
        `${method} ${path}`,
      );
    }
    assert.equal((await status(`${base}${path}`, 'HEAD')).status, 200, `HEAD ${path}`);
  }
  // Even behind a fault that fails every request (or a token check) mounted with `before`.
  assert.deepEqual(await status(`${faultyBase}/livez`, 'TRACE'), {
    status: 405,
    allow: 'GET, HEAD',
  });
  assert.deepEqual(await status(`${base}/conflict`, 'TRACE'), { status: 405, allow: 'GET, HEAD' });
  assert.equal((await status(`${base}/nothing`, 'TRACE')).status, 404);
});

test('registeredRoutes lists every route, kit and service, with OpenAPI paths', () => {
  assert.deepEqual(
    registeredRoutes(app).map((r) => `${r.method} ${r.path}`),
    [
      'GET /boom',
      'GET /conflict',
      'GET /livez',
      'GET /metrics',
      'GET /openapi.json',
      'GET /readyz',
      'GET /startupz',
      'POST /strict',
      'POST /things',
    ],
  );
});

test("every app serves /openapi.json with the kit's routes in it", async () => {
  const r = await fetch(`${faultyBase}/openapi.json`);
  assert.equal(r.status, 200, 'no fault or token stands before the document');
  const doc = (await r.json()) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    '/livez',
    '/metrics',
    '/openapi.json',
    '/readyz',
    '/startupz',
  ]);
});

test('auth runs before the body is read: no token is 401 whatever the body; kit paths are open', async () => {
  for (const body of ['{"broken', JSON.stringify({ big: 'x'.repeat(20_000) })]) {
    const r = await fetch(`${authedBase}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(r.status, 401, body.slice(0, 10));
  }
  assert.equal((await fetch(`${authedBase}/nothing`)).status, 401, 'no token: not even a 404');
  for (const path of ['/livez', '/readyz', '/metrics', '/openapi.json'])
    assert.equal((await fetch(`${authedBase}${path}`)).status, 200, path);
  assert.deepEqual(await status(`${authedBase}/livez`, 'TRACE'), {
    status: 405,
    allow: 'GET, HEAD',
  });
});

test('a thrown error is a bare 500: no stack, no message leaks', async () => {
  const r = await fetch(`${base}/boom`);
  assert.equal(r.status, 500);
  const text = await r.text();
  assert.doesNotMatch(text, /secret|srv|at /);
  assert.deepEqual(JSON.parse(text), { error: 'internal_error', details: [] });
  assert.ok(
    logged.some((l) => l.includes('secret internals')),
    'the error is logged for operators',
  );
});

test('probes and /metrics bypass injected faults', async () => {
  assert.equal((await fetch(`${faultyBase}/x`)).status, 503, 'the fault is active for traffic');
  assert.equal((await fetch(`${faultyBase}/readyz`)).status, 200);
  assert.equal((await fetch(`${faultyBase}/livez`)).status, 200);
  assert.equal((await fetch(`${faultyBase}/metrics`)).status, 200);
});

test('a ClientError keeps its status, code and details', async () => {
  const r = await fetch(`${base}/conflict`);
  assert.equal(r.status, 409);
  assert.deepEqual(await r.json(), {
    error: 'taken',
    details: [{ path: 'seatId', message: 'already booked' }],
  });
});

test('an unknown field is named itself', async () => {
  const r = await post('/strict', JSON.stringify({ name: 'a', colour: 'red' }));
  assert.equal(r.status, 400);
  const body = (await r.json()) as { details: { path: string }[] };
  assert.deepEqual(
    body.details.map((d) => d.path),
    ['colour'],
  );
});
