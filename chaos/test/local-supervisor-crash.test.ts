// The local platform after its supervisor dies, for real: a SIGKILLed supervisor takes its pods
// with it, `faultline status` says what it found, `faultline up` then gives a working playground
// with no process from before, and `faultline down` leaves no process and no port of the block.
// And the net under that: processes that did outlive a supervisor (made here by hand, with the
// state file naming them, as a supervisor without setpriv leaves them) are stopped by `up` and
// `down`, saying so, while a recorded pid that now belongs to another process is left alone.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  startProcess,
  waitFor,
  waitForPort,
  type ManagedProcess,
} from '@faultline/kit/testing/child-process';
import { isRunning, startTimeOf } from '../src/local/process-identity.js';
import { portIsFree } from '../src/local/preflight.js';
import { portsOf } from '../src/local/port-block.js';
import { readState, stateFile, type PlaygroundState } from '../src/local/state-file.js';
import { preparePlayground, type Playground } from './local-harness.js';

interface Identity {
  name: string;
  pid: number;
  startTime: string | undefined;
}

const playgrounds: Playground[] = [];
/** Every process any playground here recorded: killed after the tests if one still runs. */
const recorded: Identity[] = [];
/** Processes this file started itself; a live child would keep the test process from ending. */
const started: ManagedProcess[] = [];

after(async () => {
  await Promise.all(started.map((p) => p.stop(1000)));
  for (const pg of playgrounds) pg.cli('down');
  for (const p of recorded)
    if (isRunning(p.pid, p.startTime)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  for (const pg of playgrounds) rmSync(pg.stateDir, { recursive: true, force: true });
});

/** The supervisor and every pod process the state names, with their start times. */
function identities(s: PlaygroundState): Identity[] {
  const ids: Identity[] = [
    { name: 'supervisor', pid: s.supervisorPid, startTime: s.supervisorStartTime },
    ...s.pods
      .filter((p) => p.pid)
      .map((p) => ({ name: p.name, pid: p.pid!, startTime: p.startTime })),
  ];
  recorded.push(...ids);
  return ids;
}

function up(pg: Playground): string {
  const r = pg.cli('up', '--local', '--detach');
  assert.equal(r.status, 0, `up failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /playground is ready/);
  return r.stdout;
}

function stillRunning(ids: Identity[]): string[] {
  return ids.filter((i) => isRunning(i.pid, i.startTime)).map((i) => `${i.name} (${i.pid})`);
}

async function bookThroughGateway(pg: Playground, seatId: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${pg.ports.gateway}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seatId, userId: 'ada' }),
  });
  assert.equal(res.status, 201, await res.text());
}

/** The playground the first tests share, and the processes of its first, killed, run. */
let crashed: { pg: Playground; first: Identity[]; firstSupervisor: number } | undefined;

test('SIGKILL the supervisor: its pods die with it, and status says what it found', async () => {
  const pg = await preparePlayground();
  playgrounds.push(pg);
  up(pg);
  const before = readState(pg.stateDir)!;
  const first = identities(before);
  assert.equal(first.length, before.pods.length + 1, 'every pod has a pid');
  for (const p of first) assert.ok(p.startTime, `${p.name} is recorded with its start time`);

  process.kill(before.supervisorPid, 'SIGKILL');
  crashed = { pg, first, firstSupervisor: before.supervisorPid };
  // No command runs in between: the pods go because their supervisor went.
  await waitFor(
    () => stillRunning(first).length === 0,
    "the killed supervisor's pods to die with it",
    20_000,
    50,
  ).catch((e: Error) =>
    assert.fail(`${e.message}; still running: ${stillRunning(first).join(', ')}`),
  );
  const status = pg.cli('status');
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /not running — its supervisor \(pid \d+\) died without stopping it/);
  assert.match(status.stdout, /none of its processes is left/);
  assert.deepEqual(pg.state().leftovers, []);
});

test('SIGKILL the supervisor, then up: a working playground and no process from before', async () => {
  assert.ok(crashed, 'needs the playground of the test before');
  const { pg, first, firstSupervisor } = crashed;
  up(pg);
  assert.deepEqual(stillRunning(first), [], 'no process from before');
  const now = pg.state();
  assert.equal(now.running, true);
  assert.notEqual(now.supervisorPid, firstSupervisor);
  for (const p of now.pods) assert.ok(p.alive && p.ready, `${p.name} runs and is ready`);
  await bookThroughGateway(pg, 'gala-31');
});

test('SIGKILL the supervisor, then down: no process of either run left, no port of the block held', async () => {
  assert.ok(crashed, 'needs the playground of the test before');
  const { pg, first } = crashed;
  const second = identities(readState(pg.stateDir)!);
  process.kill(second[0]!.pid, 'SIGKILL');
  const down = pg.cli('down');
  assert.equal(down.status, 0, `${down.stdout}\n${down.stderr}`);
  assert.deepEqual(stillRunning([...first, ...second]), []);
  for (const port of portsOf(pg.ports))
    assert.equal(await portIsFree(port), true, `port ${port} of the block is free`);
  assert.equal(pg.state().running, false);
});

/**
 * What a supervisor that could not take its pods with it leaves: a real redis-server on the
 * block's Redis port and an HTTP server on its gateway port, named by a state file whose
 * supervisor is gone. Its supervisor pid and booking-0's pid now belong to a stranger (recorded
 * with another start time), which nothing may signal.
 */
async function leftBehind(pg: Playground) {
  const redis = startProcess('redis-server', [
    '--port',
    String(pg.ports.redis),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
  ]);
  const gateway = startProcess(process.execPath, [
    '-e',
    `require('node:http').createServer((q, r) => r.end('stale')).listen(${pg.ports.gateway}, '127.0.0.1')`,
  ]);
  const stranger = startProcess(process.execPath, ['-e', 'setInterval(() => {}, 60_000)']);
  started.push(redis, gateway, stranger);
  await waitForPort(pg.ports.redis, '127.0.0.1', 10_000, redis);
  await waitForPort(pg.ports.gateway, '127.0.0.1', 10_000, gateway);
  const strangerStart = startTimeOf(stranger.pid);
  assert.ok(strangerStart, 'the stranger runs');
  const earlier = String(Number(strangerStart) - 1);
  const pod = (name: string, service: string, pid: number, startTime: string, port: number) => ({
    name,
    service,
    labels: { app: service },
    pid,
    startTime,
    port,
    ready: true,
    restarts: 0,
    url: undefined,
    metricsUrl: undefined,
    logFile: `${pg.stateDir}/logs/${name}.log`,
  });
  const state: PlaygroundState = {
    phase: 'ready',
    supervisorPid: stranger.pid,
    supervisorStartTime: earlier,
    startedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    urls: {
      gateway: `http://127.0.0.1:${pg.ports.gateway}`,
      gatewayAdmin: `http://127.0.0.1:${pg.ports.gatewayAdmin}`,
      prometheus: `http://127.0.0.1:${pg.ports.prometheus}`,
    },
    tracing: { on: false, note: 'tracing is OFF' },
    gatewayAdminToken: 'left-behind',
    pods: [
      pod('redis', 'redis', redis.pid, startTimeOf(redis.pid)!, pg.ports.redis),
      pod('booking-0', 'booking', stranger.pid, earlier, pg.ports.bookingBase),
      pod('gateway-0', 'gateway', gateway.pid, startTimeOf(gateway.pid)!, pg.ports.gateway),
    ],
  };
  writeFileSync(stateFile(pg.stateDir), JSON.stringify(state));
  return { redis, gateway, stranger };
}

test('processes that outlived their supervisor: status lists them, down stops them and leaves a reused pid alone', async () => {
  const pg = await preparePlayground();
  playgrounds.push(pg);
  const { redis, gateway, stranger } = await leftBehind(pg);

  const status = pg.cli('status');
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /died without stopping it/, 'a reused supervisor pid is not it');
  assert.match(
    status.stdout,
    new RegExp(
      `2 of its processes still run: redis \\(pid ${redis.pid}\\), gateway-0 \\(pid ${gateway.pid}\\)`,
    ),
  );
  assert.match(status.stdout, /redis\s+orphan\s/);
  assert.match(status.stdout, /booking-0\s+down\s/);

  const down = pg.cli('down');
  assert.equal(down.status, 0, `${down.stdout}\n${down.stderr}`);
  assert.match(down.stdout, new RegExp(`stopping leftover redis \\(pid ${redis.pid}\\)`));
  assert.match(down.stdout, new RegExp(`stopping leftover gateway-0 \\(pid ${gateway.pid}\\)`));
  assert.match(
    down.stdout,
    new RegExp(`pid ${stranger.pid} \\(was booking-0\\) is another process now: left alone`),
  );
  assert.deepEqual(await redis.exited, { code: null, signal: 'SIGKILL' });
  assert.deepEqual(await gateway.exited, { code: null, signal: 'SIGKILL' });
  assert.equal(stranger.child.exitCode ?? stranger.child.signalCode, null, 'the stranger runs');
  for (const port of [pg.ports.redis, pg.ports.gateway])
    assert.equal(await portIsFree(port), true, `port ${port} free`);
  await stranger.stop();
});

test('up stops what an earlier supervisor left, saying so, before it starts anything', async () => {
  const pg = await preparePlayground();
  playgrounds.push(pg);
  const { redis, gateway, stranger } = await leftBehind(pg);

  const out = up(pg);
  const announced = out.indexOf('left 2 of its processes running: stopping them first');
  assert.ok(announced >= 0, out);
  const stopped = [
    `stopping leftover redis (pid ${redis.pid})`,
    `stopping leftover gateway-0 (pid ${gateway.pid})`,
  ];
  for (const line of stopped) assert.ok(out.indexOf(line) > announced, `says "${line}"`);
  // ... and only then starts (and so rewrites state.json).
  assert.ok(out.search(/starting (agents|jaeger|redis)/) > out.indexOf(stopped[1]!), out);
  assert.deepEqual(await redis.exited, { code: null, signal: 'SIGKILL' });
  assert.deepEqual(await gateway.exited, { code: null, signal: 'SIGKILL' });
  assert.equal(stranger.child.exitCode ?? stranger.child.signalCode, null, 'the stranger runs');
  identities(readState(pg.stateDir)!);
  // The real gateway answers on the port the stale one held.
  await bookThroughGateway(pg, 'gala-32');
  await stranger.stop();
  const down = pg.cli('down');
  assert.equal(down.status, 0, down.stderr);
});

test('an up that cannot start (a port held by a process it did not start) leaves state.json as it was', async () => {
  const pg = await preparePlayground();
  playgrounds.push(pg);
  const { redis, gateway, stranger } = await leftBehind(pg);
  // The earlier run's pods are gone now; something it never started holds the gateway's port.
  await Promise.all([redis.stop(), gateway.stop()]);
  const squatter = startProcess(process.execPath, [
    '-e',
    `require('node:http').createServer((q, r) => r.end('squat')).listen(${pg.ports.gateway}, '127.0.0.1')`,
  ]);
  started.push(squatter);
  await waitForPort(pg.ports.gateway, '127.0.0.1', 10_000, squatter);
  const before = readFileSync(stateFile(pg.stateDir), 'utf8');

  const r = pg.cli('up', '--local', '--detach');
  assert.notEqual(r.status, 0, r.stdout);
  assert.match(r.stdout, new RegExp(`gateway-0: port ${pg.ports.gateway} is already in use`));
  assert.equal(readFileSync(stateFile(pg.stateDir), 'utf8'), before, 'state.json untouched');
  assert.equal(squatter.child.exitCode ?? squatter.child.signalCode, null, 'the squatter runs');
  await Promise.all([squatter.stop(), stranger.stop()]);
});
