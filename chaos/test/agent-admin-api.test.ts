// The admin API: bearer token (401 without or with a wrong one), 400 naming the field for bad
// input, faults reported exactly as applied, renew, remove, TTL expiry with nobody calling
// remove, and the fault metrics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { Agent } from '../src/agent/agent.js';
import type { ActiveFaultView, AppliedFault } from '../src/agent/fault-spec.js';
import { admin, applyFault, linkPort, startAgent, timedExchange } from './agent-helpers.js';

let redis: RedisServer;
let agent: Agent;

before(async () => {
  redis = await startRedis();
  agent = await startAgent([
    { name: 'redis', target: `127.0.0.1:${redis.port}` },
    { name: 'web', target: '127.0.0.1:9', protocol: 'http' },
  ]);
});

after(async () => {
  await agent?.stop();
  await redis?.stop();
});

interface ErrorBody {
  error: string;
  details: { path: string; message: string }[];
}

test('a missing or wrong token is 401; probes and /metrics need none', async () => {
  for (const [token, what] of [
    ['', 'missing'],
    ['not-the-token', 'wrong'],
  ] as const) {
    for (const [method, path] of [
      ['GET', '/links'],
      ['GET', '/faults'],
      ['POST', '/faults'],
      ['DELETE', '/faults/x'],
      ['PUT', '/app'],
    ] as const) {
      const r = await admin<ErrorBody>(
        agent,
        method,
        path,
        method === 'GET' ? undefined : {},
        token,
      );
      assert.equal(r.status, 401, `${what} token on ${method} ${path}`);
      assert.equal(r.body.details[0]?.path, 'authorization');
    }
  }
  assert.equal((await admin(agent, 'GET', '/links')).status, 200, 'the right token passes');
  for (const path of ['/livez', '/readyz', '/metrics'])
    assert.equal((await fetch(`${agent.adminUrl}${path}`)).status, 200, path);
});

test('bad input is a 400 naming the field', async () => {
  const cases: [unknown, string][] = [
    [{ type: 'meteor', link: 'redis', ttlMs: 1000 }, 'type'],
    [{ link: 'redis', ttlMs: 1000 }, 'type'],
    [{ type: 'latency', link: 'redis', params: { ms: 10 } }, 'ttlMs'],
    [{ type: 'latency', link: 'redis', ttlMs: 0, params: { ms: 10 } }, 'ttlMs'],
    [{ type: 'latency', link: 'redis', ttlMs: 60_001, params: { ms: 10 } }, 'ttlMs'],
    [{ type: 'latency', link: 'redis', ttlMs: 1000, params: { ms: -1 } }, 'params.ms'],
    [
      { type: 'latency', link: 'redis', ttlMs: 1000, params: { ms: 10, jitterMs: 1e9 } },
      'params.jitterMs',
    ],
    [
      { type: 'latency', link: 'redis', ttlMs: 1000, params: { ms: 10, direction: 'sideways' } },
      'params.direction',
    ],
    [{ type: 'latency', link: 'redis', ttlMs: 1000, params: { delay: 10 } }, 'params.ms'],
    [
      { type: 'bandwidth', link: 'redis', ttlMs: 1000, params: { bytesPerSec: 0 } },
      'params.bytesPerSec',
    ],
    [
      { type: 'http-fault', link: 'web', ttlMs: 1000, params: { percent: 101, abortStatus: 503 } },
      'params.percent',
    ],
    [
      { type: 'http-fault', link: 'web', ttlMs: 1000, params: { percent: 50, abortStatus: 200 } },
      'params.abortStatus',
    ],
    [
      { type: 'http-fault', link: 'web', ttlMs: 1000, params: { percent: 50 } },
      'params.abortStatus',
    ],
    [
      { type: 'http-fault', link: 'redis', ttlMs: 1000, params: { percent: 50, abortStatus: 503 } },
      'link',
    ],
    [{ type: 'latency', link: 'nope', ttlMs: 1000, params: { ms: 10 } }, 'link'],
    [{ type: 'partition-hard', ttlMs: 1000 }, 'link'],
    // A process fault takes no link: the unknown field is named itself.
    [{ type: 'pause', ttlMs: 1000, link: 'redis' }, 'link'],
  ];
  for (const [body, field] of cases) {
    const r = await admin<ErrorBody>(agent, 'POST', '/faults', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.ok(
      r.body.details.some((d) => d.path === field),
      `${JSON.stringify(body)} should name ${field}: ${JSON.stringify(r.body.details)}`,
    );
  }
  assert.equal((await admin(agent, 'GET', '/faults')).body.faults instanceof Array, true);
  assert.deepEqual((await admin<{ faults: unknown[] }>(agent, 'GET', '/faults')).body.faults, []);
  const renew = await admin<ErrorBody>(agent, 'POST', '/faults/x/renew', { ttlMs: -5 });
  assert.equal(renew.status, 400);
  assert.equal(renew.body.details[0]?.path, 'ttlMs');
  const pid = await admin<ErrorBody>(agent, 'PUT', '/app', { pid: 'abc' });
  assert.equal(pid.status, 400);
  assert.equal(pid.body.details[0]?.path, 'pid');
  assert.equal((await admin(agent, 'DELETE', '/faults/nope')).status, 404);
  assert.equal((await admin(agent, 'POST', '/faults/nope/renew', { ttlMs: 100 })).status, 404);
  const noPid = await admin<ErrorBody>(agent, 'POST', '/faults', { type: 'pause', ttlMs: 1000 });
  assert.equal(noPid.status, 409, 'pause without a known app pid');
  assert.equal(noPid.body.details[0]?.path, 'pid');
  assert.equal(noPid.body.error, 'no_app_pid');
});

test('a fault is reported exactly as applied, listed with its remaining TTL, renewed, removed', async () => {
  const before = Date.now();
  const r = await admin<AppliedFault>(agent, 'POST', '/faults', {
    type: 'latency',
    link: 'redis',
    ttlMs: 20_000,
    experiment: 'exp-7',
    params: { ms: 5, seed: 99 },
  });
  assert.equal(r.status, 201);
  const f = r.body;
  assert.match(f.id, /^f-[0-9a-f]{12}$/);
  assert.deepEqual(
    { type: f.type, link: f.link, experiment: f.experiment, ttlMs: f.ttlMs, oneShot: f.oneShot },
    { type: 'latency', link: 'redis', experiment: 'exp-7', ttlMs: 20_000, oneShot: false },
  );
  assert.deepEqual(
    f.params,
    { ms: 5, jitterMs: 0, direction: 'upstream', seed: 99 },
    'defaults filled in',
  );
  const appliedAt = Date.parse(f.appliedAt);
  assert.ok(appliedAt >= before - 5 && appliedAt <= Date.now() + 5);
  assert.equal(Date.parse(f.expiresAt) - appliedAt, 20_000);

  const listed = (await admin<{ faults: ActiveFaultView[] }>(agent, 'GET', '/faults')).body.faults;
  assert.equal(listed.length, 1);
  const { remainingMs, ...rest } = listed[0]!;
  assert.deepEqual(rest, f, 'GET /faults shows the fault as applied');
  assert.ok(remainingMs > 15_000 && remainingMs <= 20_000, `remainingMs=${remainingMs}`);
  const links = (
    await admin<{ links: { name: string; faults: string[] }[] }>(agent, 'GET', '/links')
  ).body.links;
  assert.deepEqual(links.find((l) => l.name === 'redis')?.faults, [f.id]);

  const metrics = await (await fetch(`${agent.adminUrl}/metrics`)).text();
  assert.match(
    metrics,
    /faultline_fault_active\{fault="latency",link="redis",experiment="exp-7"\} 1/,
  );
  assert.match(
    metrics,
    /faultline_fault_applied_total\{fault="latency",link="redis",experiment="exp-7"\} 1/,
  );

  const renewed = await admin<ActiveFaultView>(agent, 'POST', `/faults/${f.id}/renew`, {
    ttlMs: 40_000,
  });
  assert.equal(renewed.status, 200);
  assert.equal(renewed.body.ttlMs, 40_000);
  assert.ok(Date.parse(renewed.body.expiresAt) >= Date.parse(f.expiresAt) + 19_000);

  const removed = await admin<AppliedFault>(agent, 'DELETE', `/faults/${f.id}`);
  assert.equal(removed.status, 200);
  assert.equal(removed.body.id, f.id);
  assert.deepEqual((await admin<{ faults: unknown[] }>(agent, 'GET', '/faults')).body.faults, []);
  const after = await (await fetch(`${agent.adminUrl}/metrics`)).text();
  assert.doesNotMatch(after, /faultline_fault_active\{fault="latency"/);
  assert.match(
    after,
    /faultline_fault_removed_total\{fault="latency",link="redis",experiment="exp-7",reason="removed"\} 1/,
  );
});

test('a second fault of the same type on the same link replaces the first', async () => {
  const a = await applyFault(agent, {
    type: 'latency',
    link: 'redis',
    ttlMs: 20_000,
    params: { ms: 5 },
  });
  const b = await applyFault(agent, {
    type: 'latency',
    link: 'redis',
    ttlMs: 20_000,
    params: { ms: 7 },
  });
  const faults = (await admin<{ faults: ActiveFaultView[] }>(agent, 'GET', '/faults')).body.faults;
  assert.deepEqual(
    faults.map((f) => f.id),
    [b],
  );
  assert.notEqual(a, b);
  const metrics = await (await fetch(`${agent.adminUrl}/metrics`)).text();
  assert.match(
    metrics,
    /faultline_fault_removed_total\{fault="latency",link="redis",experiment="none",reason="replaced"\} 1/,
  );
  await admin(agent, 'DELETE', `/faults/${b}`);
});

test('TTL expiry removes a fault with nobody calling remove, and traffic is plain again', async () => {
  const port = linkPort(agent, 'redis');
  const id = await applyFault(agent, {
    type: 'partition-hard',
    link: 'redis',
    ttlMs: 300,
    experiment: 'ttl',
  });
  // While it lasts the link is silent; then it expires by itself and the PING is answered.
  const reply = await timedExchange(port, ['PING\r\n'], 0, (r) => r.includes('PONG'));
  assert.ok(reply.ms >= 150, `the PING waited for the partition (${reply.ms.toFixed(0)} ms)`);
  await waitFor(
    async () =>
      (await admin<{ faults: unknown[] }>(agent, 'GET', '/faults')).body.faults.length === 0,
    'the fault to expire',
    5000,
  );
  const metrics = await (await fetch(`${agent.adminUrl}/metrics`)).text();
  assert.match(
    metrics,
    new RegExp(
      `faultline_fault_removed_total\\{fault="partition-hard",link="redis",experiment="ttl",reason="expired"\\} 1`,
    ),
  );
  // It existed and ended: 409 naming how, not the 404 of an id never applied.
  const late = await admin<ErrorBody>(agent, 'DELETE', `/faults/${id}`);
  assert.equal(late.status, 409, 'already gone');
  assert.equal(late.body.error, 'fault_ended');
  assert.match(late.body.details[0]?.message ?? '', /ended \(expired\)/);
  const renew = await admin(agent, 'POST', `/faults/${id}/renew`, { ttlMs: 100 });
  assert.equal(renew.status, 409);
  assert.match(
    metrics,
    /faultline_agent_link_bytes_total\{link="redis",direction="upstream"\} [1-9]/,
  );
  assert.match(metrics, /faultline_agent_link_connections_total\{link="redis"\} [1-9]/);
});
