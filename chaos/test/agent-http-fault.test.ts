// http-fault on an http link in front of a real HTTP server: at 100% the injected status comes
// back, at 0% requests pass through, only matching routes/methods are touched, a seed makes
// the selection repeatable, and an established keep-alive connection picks the fault up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent as HttpAgent, request } from 'node:http';
import type { Agent } from '../src/agent/agent.js';
import {
  admin,
  applyFault,
  httpGet,
  linkPort,
  startAgent,
  startHttpBackend,
} from './agent-helpers.js';

let backend: Awaited<ReturnType<typeof startHttpBackend>>;
let agent: Agent;

before(async () => {
  backend = await startHttpBackend();
  agent = await startAgent([
    { name: 'booking', target: `127.0.0.1:${backend.port}`, protocol: 'http', kind: 'inbound' },
  ]);
});

after(async () => {
  await agent?.stop();
  await backend?.close();
});

const port = () => linkPort(agent, 'booking');

test('100% abort returns the status; other routes and methods pass through', async () => {
  const id = await applyFault(agent, {
    type: 'http-fault',
    link: 'booking',
    ttlMs: 20_000,
    experiment: 'exp-h',
    params: { routePrefix: '/bookings', methods: ['POST'], percent: 100, abortStatus: 503 },
  });
  try {
    const hit = await httpGet(port(), '/bookings/1', 'POST');
    assert.equal(hit.status, 503);
    assert.equal(hit.headers['x-faultline-fault'], id);
    assert.equal(hit.headers['x-faultline-experiment'], 'exp-h');
    assert.equal((JSON.parse(hit.body) as { error: string }).error, 'injected_fault');
    assert.equal((await httpGet(port(), '/bookings/1', 'GET')).status, 200, 'other method');
    const other = await httpGet(port(), '/seats/1', 'POST');
    assert.deepEqual([other.status, other.body], [200, 'ok /seats/1'], 'other route');
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
  }
});

test('0% passes everything through', async () => {
  const id = await applyFault(agent, {
    type: 'http-fault',
    link: 'booking',
    ttlMs: 20_000,
    params: { percent: 0, abortStatus: 500 },
  });
  try {
    for (let i = 0; i < 20; i++) {
      const r = await httpGet(port(), `/x${i}`);
      assert.deepEqual([r.status, r.body], [200, `ok /x${i}`]);
    }
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
  }
});

test('a seed makes the selected requests repeatable; about the configured share is hit', async () => {
  const run = async () => {
    const id = await applyFault(agent, {
      type: 'http-fault',
      link: 'booking',
      ttlMs: 20_000,
      params: { percent: 30, abortStatus: 502, seed: 1234 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await httpGet(port(), '/r')).status);
    await admin(agent, 'DELETE', `/faults/${id}`);
    return statuses;
  };
  const first = await run();
  const second = await run();
  assert.deepEqual(second, first, 'same seed, same requests aborted');
  const aborted = first.filter((s) => s === 502).length;
  assert.ok(aborted > 6 && aborted < 34, `30% of 60 requests ≈ 18, got ${aborted}`);
  assert.ok(first.every((s) => s === 200 || s === 502));
});

test('an established keep-alive connection picks up an http-fault applied after it opened', async () => {
  const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<{ status: number; socketPort: number }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: port(), path: '/k', agent: keepAlive },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, socketPort: req.socket?.localPort ?? 0 }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
  try {
    const first = await get();
    assert.equal(first.status, 200);
    const id = await applyFault(agent, {
      type: 'http-fault',
      link: 'booking',
      ttlMs: 20_000,
      params: { percent: 100, abortStatus: 429 },
    });
    const second = await get();
    assert.equal(second.socketPort, first.socketPort, 'same connection');
    assert.equal(second.status, 429);
    await admin(agent, 'DELETE', `/faults/${id}`);
    assert.equal((await get()).status, 200);
  } finally {
    keepAlive.destroy();
  }
});

test('http-fault delay holds matching requests for delayMs', async () => {
  const id = await applyFault(agent, {
    type: 'http-fault',
    link: 'booking',
    ttlMs: 20_000,
    params: { percent: 100, delayMs: 300, routePrefix: '/slow' },
  });
  try {
    const t0 = performance.now();
    assert.equal((await httpGet(port(), '/slow/1')).status, 200);
    const slow = performance.now() - t0;
    assert.ok(slow >= 280, `delayed request took ${slow.toFixed(0)} ms`);
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
  }
});
