// `faultline up --local` for real: every process, every port, Prometheus scraping them all,
// a booking through the gateway, a killed replica restarted and routed around, and `down`
// leaving nothing behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { waitFor } from '@faultline/kit/testing/child-process';
import { isAlive } from '../src/local/state-file.js';
import { isRunning } from '../src/local/process-identity.js';
import { portIsFree } from '../src/local/preflight.js';
import { preparePlayground, type Playground } from './local-harness.js';

let pg: Playground;

before(async () => {
  pg = await preparePlayground();
  const up = pg.cli('up', '--local', '--detach');
  assert.equal(up.status, 0, `up failed:\n${up.stdout}\n${up.stderr}`);
  assert.match(up.stdout, /playground is ready/);
  assert.match(
    up.stdout,
    /tracing is OFF|tracing: exporting/,
    'says plainly whether tracing is on',
  );
});

after(() => {
  pg?.cli('down');
});

test('every pod is ready, with a stable name, labels and a pid', () => {
  const s = pg.state();
  assert.equal(s.running, true);
  assert.equal(s.phase, 'ready');
  const names = s.pods.map((p) => p.name).filter((n) => n !== 'jaeger');
  assert.deepEqual(names, [
    'redis',
    'etcd-0',
    'etcd-1',
    'etcd-2',
    'prometheus',
    'booking-0',
    'booking-1',
    'booking-2',
    'scheduler-0',
    'scheduler-1',
    'scheduler-2',
    'gateway-0',
  ]);
  for (const p of s.pods) {
    assert.equal(p.ready, true, `${p.name} ready`);
    assert.ok(p.alive && p.pid, `${p.name} has a live pid`);
  }
  assert.equal(s.pods.find((p) => p.name === 'booking-1')?.labels.app, 'booking');
  assert.equal(s.pods.filter((p) => p.role === 'leader').length, 1, 'exactly one scheduler leader');
});

test('Prometheus scrapes every replica (up == 1 for all, through its API)', async () => {
  const s = pg.state();
  // Every pod with metrics, plus every pod's agent.
  const expected = s.pods.filter((p) => p.metricsUrl).length + s.pods.filter((p) => p.agent).length;
  assert.equal(
    s.pods.filter((p) => p.agent).length,
    6,
    'booking and scheduler replicas have agents',
  );
  const prom = `http://127.0.0.1:${pg.ports.prometheus}`;
  const ups = await waitFor(
    async () => {
      const body = (await (await fetch(`${prom}/api/v1/query?query=up`)).json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      const r = body.data.result;
      return r.length === expected && r.every((x) => x.value[1] === '1') ? r : undefined;
    },
    `all ${expected} targets up`,
    30_000,
    500,
  );
  const pods = ups.map((u) => u.metric.pod).sort();
  assert.ok(
    pods.includes('booking-2') && pods.includes('scheduler-0') && pods.includes('gateway-0'),
  );
  assert.equal(
    ups.filter((u) => u.metric.job === 'faultline-agent').length,
    6,
    'agents scraped too',
  );
});

test("apps reach their dependencies through their pod's agent", async () => {
  const s = pg.state();
  const booking = s.pods.find((p) => p.name === 'booking-0')!;
  const links = booking.agent!.links;
  assert.deepEqual(links.map((l) => l.name).sort(), ['inbound', 'redis']);
  assert.equal(links.find((l) => l.name === 'redis')!.target, `127.0.0.1:${pg.ports.redis}`);
  const token = readFileSync(booking.agent!.tokenFile, 'utf8').trim();
  assert.equal(statSync(booking.agent!.tokenFile).mode & 0o777, 0o600);
  const res = await fetch(`${booking.agent!.adminUrl}/links`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const { links: live } = (await res.json()) as {
    links: { name: string; connections: { total: number } }[];
  };
  const redis = live.find((l) => l.name === 'redis');
  assert.ok(redis && redis.connections.total >= 1, 'booking-0 talks to Redis through its agent');
  const scheduler = s.pods.find((p) => p.name === 'scheduler-1')!;
  assert.deepEqual(scheduler.agent!.links.map((l) => l.name).sort(), [
    'etcd-0',
    'etcd-1',
    'etcd-2',
    'inbound',
  ]);
});

test('a booking through the gateway works', async () => {
  const res = await fetch(`http://127.0.0.1:${pg.ports.gateway}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId: 'gala-7', userId: 'ada' }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const body = (await res.json()) as { seatId: string; fencingToken: number };
  assert.equal(body.seatId, 'gala-7');
  assert.ok(body.fencingToken >= 1);
});

test('SIGKILL a booking replica: restarted with back-off, routed around while not ready', async () => {
  const before = pg.state().pods.find((p) => p.name === 'booking-1')!;
  process.kill(before.pid!, 'SIGKILL');
  // While it is down, idempotent reads through the gateway keep succeeding.
  const statuses: number[] = [];
  const deadline = Date.now() + 4000;
  while (Date.now() < deadline) {
    const r = await fetch(`http://127.0.0.1:${pg.ports.gateway}/seats/gala-7`);
    await r.arrayBuffer();
    statuses.push(r.status);
  }
  assert.ok(statuses.length > 10);
  assert.deepEqual([...new Set(statuses)], [200], 'no errors while the replica is down');
  const after = await waitFor(
    () => {
      const p = pg.state().pods.find((x) => x.name === 'booking-1');
      return p && p.ready && p.pid !== before.pid ? p : undefined;
    },
    'booking-1 back and ready',
    30_000,
    200,
  );
  assert.equal(after.restarts, before.restarts + 1);
  assert.ok(isAlive(after.pid));
  const log = pg.cli('status').stdout;
  assert.match(log, /booking-1\s+yes\s+1\s/);
});

test('down stops every process and frees every port', async () => {
  const s = pg.state();
  const pids = s.pods.map((p) => p.pid!).filter(Boolean);
  const ports = s.pods.map((p) => p.port);
  const down = pg.cli('down');
  assert.equal(down.status, 0, down.stderr);
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} gone`);
  for (const port of [...ports, pg.ports.gatewayAdmin])
    assert.equal(await portIsFree(port), true, `port ${port} free`);
  // Gone, not merely signalled: a detached supervisor's exit is reaped by init, which may take
  // its time, so a zombie counts as gone (pods are the supervisor's own children: reaped).
  assert.equal(isRunning(s.supervisorPid, s.supervisorStartTime), false, 'supervisor gone');
  assert.equal(pg.state().running, false);
});
