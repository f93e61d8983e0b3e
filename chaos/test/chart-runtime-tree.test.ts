/**
 * The image's runtime tree is complete. There is no Docker engine here, so the tree is built the
 * way the Dockerfile builds it (scripts/runtime-tree.sh: dist/src of each runtime workspace plus
 * an `npm ci --omit=dev` from the lockfile) into a temp dir, and every component is started from
 * that dir with the image's exact command line (the Dockerfile's ENTRYPOINT + the chart's args):
 * booking on real Redis, the scheduler on real etcd, the gateway in front of booking, an agent
 * linking to Redis, the controller (past module loading: its HTTP probes answer), and the load
 * generator driving a short run through the gateway. A missing production dependency fails here
 * with ERR_MODULE_NOT_FOUND.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { freePort } from '@faultline/kit/testing/free-port';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { startProcess, waitFor, type ManagedProcess } from '@faultline/kit/testing/child-process';
import { REPO, componentArgs, imageEntrypoint, type Component } from './chart-image.js';

let tree: string;
let redis: RedisServer;
let etcd: EtcdCluster;
const procs: ManagedProcess[] = [];

/** Runs a command to completion; rejects with its output when it fails. */
function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}:\n${out}`)),
    );
  });
}

before(async () => {
  tree = await mkdtemp(join(tmpdir(), 'faultline-runtime-tree-'));
  [redis, etcd] = await Promise.all([
    startRedis(),
    startEtcd(1),
    run(join(REPO, 'scripts', 'runtime-tree.sh'), [REPO, tree], REPO),
  ]).then(([r, e]) => [r, e] as const);
});

after(async () => {
  for (const p of procs) await p.stop();
  await redis?.stop();
  await etcd?.stop();
  if (tree) await rm(tree, { recursive: true, force: true });
});

/** Starts a component from the runtime tree as the image would: ENTRYPOINT + chart args. */
function startComponent(
  component: Component,
  env: Record<string, string>,
  extraArgs: string[] = [],
): ManagedProcess {
  const [node, ...nodeArgs] = imageEntrypoint();
  assert.equal(node, '/nodejs/bin/node', 'distroless keeps node at /nodejs/bin/node');
  // The image runs /nodejs/bin/node from WORKDIR /app; here the same Node 24 from the tree.
  const p = startProcess(
    process.execPath,
    [...nodeArgs, ...componentArgs(component), ...extraArgs],
    {
      cwd: tree,
      // Only what the chart sets: nothing from this checkout's environment leaks in.
      env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env },
    },
  );
  procs.push(p);
  return p;
}

async function waitReady(p: ManagedProcess, url: string, what: string): Promise<void> {
  await waitFor(
    async () => {
      if (p.child.exitCode !== null)
        throw new Error(`${what} exited ${p.child.exitCode}:\n${p.output()}`);
      return (await fetch(url)).status === 200;
    },
    `${what} at ${url}`,
    60_000,
    100,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- output ---\n${p.output()}`);
  });
}

test('the runtime tree holds production dependencies only, and no compiled tests', () => {
  assert.ok(existsSync(join(tree, 'node_modules', 'ioredis')), 'ioredis (booking) installed');
  assert.ok(existsSync(join(tree, 'node_modules', 'etcd3')), 'etcd3 (scheduler) installed');
  for (const dev of ['typescript', 'eslint', 'playwright-core', 'fast-check', '@grafana'])
    assert.ok(!existsSync(join(tree, 'node_modules', dev)), `${dev} is a dev/build-time package`);
  assert.ok(!existsSync(join(tree, 'chaos', 'dist', 'test')), 'compiled tests are not shipped');
});

test('every component starts from the runtime tree with the image command line', async () => {
  const bookingPort = await freePort();
  const booking = startComponent('booking', {
    BOOKING_PORT: String(bookingPort),
    BOOKING_REDIS_URL: redis.url,
    BOOKING_INSTANCE: 'booking-0',
  });
  const schedulerPort = await freePort();
  const scheduler = startComponent('scheduler', {
    SCHEDULER_PORT: String(schedulerPort),
    SCHEDULER_ETCD_ENDPOINTS: etcd.endpoints.join(','),
    SCHEDULER_INSTANCE: 'scheduler-0',
  });
  const agentPort = await freePort();
  const agent = startComponent('agent', {
    FAULTLINE_AGENT_NAME: 'booking-0',
    FAULTLINE_AGENT_ADMIN_PORT: String(agentPort),
    FAULTLINE_AGENT_TOKEN_FILE: join(tree, 'agent.token'),
    FAULTLINE_AGENT_LINKS: JSON.stringify([
      {
        name: 'redis',
        listen: '127.0.0.1:0',
        target: `127.0.0.1:${redis.port}`,
        protocol: 'tcp',
      },
    ]),
  });
  // No API server answers on this port: the controller has loaded every module once its probe
  // server listens (it listens before the first reconcile).
  const controllerPort = await freePort();
  const controller = startComponent('controller', {
    FAULTLINE_CONTROLLER_NAMESPACE: 'faultline',
    FAULTLINE_CONTROLLER_API_SERVER: `http://127.0.0.1:${await freePort()}`,
    FAULTLINE_CONTROLLER_AGENT_TOKEN_FILE: join(tree, 'agent.token'),
    FAULTLINE_CONTROLLER_HOST: '127.0.0.1',
    FAULTLINE_CONTROLLER_PORT: String(controllerPort),
  });
  await waitReady(booking, `http://127.0.0.1:${bookingPort}/readyz`, 'booking');
  await waitReady(scheduler, `http://127.0.0.1:${schedulerPort}/readyz`, 'scheduler');
  await waitReady(agent, `http://127.0.0.1:${agentPort}/readyz`, 'agent');
  await waitReady(controller, `http://127.0.0.1:${controllerPort}/livez`, 'controller');

  const gatewayPort = await freePort();
  const adminPort = await freePort();
  const gateway = startComponent('gateway', {
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_ADMIN_PORT: String(adminPort),
    GATEWAY_ADMIN_TOKEN: 'runtime-tree-test-token',
    GATEWAY_UPSTREAMS: JSON.stringify([
      {
        name: 'booking',
        prefix: '/',
        picker: 'round-robin',
        discovery: { kind: 'static', backends: [`127.0.0.1:${bookingPort}`] },
      },
    ]),
  });
  await waitReady(gateway, `http://127.0.0.1:${adminPort}/readyz`, 'gateway');
  const booked = await fetch(`http://127.0.0.1:${gatewayPort}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId: 'gala-1', userId: 'runtime-tree' }),
  });
  assert.equal(booked.status, 201, `a booking through the gateway: ${await booked.text()}`);

  // The load generator: a short bounded run through the gateway, with its history file.
  const history = join(tree, 'history.jsonl');
  const load = startComponent('load', {}, [
    'browse',
    '--target',
    `http://127.0.0.1:${gatewayPort}`,
    '--rate',
    '5',
    '--duration',
    '2s',
    '--history',
    history,
    '--quiet',
  ]);
  const { code } = await load.exited;
  assert.ok(code === 0 || code === 99, `load exited ${code}:\n${load.output()}`);
  const records = (await readFile(history, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { outcome: string });
  assert.ok(
    records.some((r) => r.outcome === 'ok'),
    `the load run got answers through the gateway (${records.length} records)`,
  );
});
