// L4 balancing against real processes: a keep-alive client's requests all land on the backend
// its connection was given, while new connections rotate — balancing connections is not
// balancing requests. Each test has its own backends and gateway, so none depends on another's
// round-robin position or on a backend another test killed.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import {
  send,
  startBackends,
  startGateway,
  staticUpstream,
  stopAll,
  type TestBackend,
  type TestGateway,
} from './helpers.js';

/** Three backends a, b, c behind a gateway with an L4 round-robin listener, for one test. */
async function setUp(t: TestContext): Promise<{ backends: TestBackend[]; gw: TestGateway }> {
  const backends = await startBackends('a', 'b', 'c');
  t.after(() => stopAll(backends));
  const gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends),
    GATEWAY_TCP_UPSTREAM: 'booking',
    GATEWAY_TCP_PICKER: 'round-robin',
  });
  t.after(() => gw.stop());
  return { backends, gw };
}

const instanceOf = (r: { json: unknown }) => (r.json as { instance: string }).instance;
const viaL4 = (gw: TestGateway) =>
  send(`http://127.0.0.1:${gw.tcpPort}/whoami`, { agent: false }).then(instanceOf);

test('a keep-alive client sticks to one backend at L4', async (t) => {
  const { gw } = await setUp(t);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const seen = new Set<string>();
  for (let i = 0; i < 15; i++)
    seen.add(instanceOf(await send(`http://127.0.0.1:${gw.tcpPort}/whoami`, { agent })));
  const open = (await gw.backends()).reduce(
    (n, b) => n + (b as unknown as { tcpConnections: number }).tcpConnections,
    0,
  );
  agent.destroy();
  assert.equal(seen.size, 1, `one connection, one backend: ${[...seen].join(', ')}`);
  assert.equal(open, 1, 'the admin view shows the one open L4 connection');
});

test('new connections rotate over the backends (round robin)', async (t) => {
  const { gw } = await setUp(t);
  const counts = new Map<string, number>();
  let previous = '';
  for (let i = 0; i < 9; i++) {
    const who = await viaL4(gw);
    assert.notEqual(who, previous, 'consecutive connections go to different backends');
    previous = who;
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries([...counts].sort()), { a: 3, b: 3, c: 3 });
});

test('the same keep-alive client through the L7 port is spread per request', async (t) => {
  const { gw } = await setUp(t);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const seen = new Set<string>();
  for (let i = 0; i < 9; i++) seen.add(instanceOf(await send(`${gw.url}/whoami`, { agent })));
  agent.destroy();
  assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
});

test('L4 skips a dead backend: the connection goes to the next one', async (t) => {
  const { backends, gw } = await setUp(t);
  await backends[0]!.kill();
  const counts = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const who = await viaL4(gw);
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  // Where they did go: each connection was answered by one of the live two (which of them
  // depends on whether active health has already taken the dead one out), and they counted it.
  const answered = Object.fromEntries([...counts].sort());
  assert.ok(
    Object.keys(answered).every((who) => who === 'b' || who === 'c'),
    JSON.stringify(answered),
  );
  const live = await Promise.all(
    backends.slice(1).map(async (b) => (await b.stats())['GET /whoami'] ?? 0),
  );
  assert.deepEqual(live, [answered.b ?? 0, answered.c ?? 0], 'the live backends counted them');
  assert.equal(live[0]! + live[1]!, 6);
});
