// L4 balancing against real processes: a keep-alive client's requests all land on the backend
// its connection was given, while new connections rotate — balancing connections is not
// balancing requests.
import { after, before, test } from 'node:test';
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

let backends: TestBackend[] = [];
let gw: TestGateway;
before(async () => {
  backends = await startBackends('a', 'b', 'c');
  gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends),
    GATEWAY_TCP_UPSTREAM: 'booking',
    GATEWAY_TCP_PICKER: 'round-robin',
  });
});
after(() => stopAll([gw, ...backends]));

const instanceOf = (r: { json: unknown }) => (r.json as { instance: string }).instance;

test('a keep-alive client sticks to one backend at L4', async () => {
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

test('new connections rotate over the backends (round robin)', async () => {
  const counts = new Map<string, number>();
  let previous = '';
  for (let i = 0; i < 9; i++) {
    const who = instanceOf(await send(`http://127.0.0.1:${gw.tcpPort}/whoami`, { agent: false }));
    assert.notEqual(who, previous, 'consecutive connections go to different backends');
    previous = who;
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  assert.deepEqual([...counts.values()].sort(), [3, 3, 3]);
});

test('the same keep-alive client through the L7 port is spread per request', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const seen = new Set<string>();
  for (let i = 0; i < 9; i++) seen.add(instanceOf(await send(`${gw.url}/whoami`, { agent })));
  agent.destroy();
  assert.equal(seen.size, 3);
});

test('L4 skips a dead backend: the connection goes to the next one', async () => {
  await backends[0]!.kill();
  for (let i = 0; i < 6; i++) {
    const who = instanceOf(await send(`http://127.0.0.1:${gw.tcpPort}/whoami`, { agent: false }));
    assert.notEqual(who, 'a');
  }
});
