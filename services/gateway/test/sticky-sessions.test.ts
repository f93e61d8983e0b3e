// Sticky sessions against real processes: a cookie pins a client to one backend; when that
// backend is killed the next request succeeds elsewhere and re-sticks; and the in-memory
// session hit rate of a booking-like backend depends on stickiness.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cookieFrom,
  send,
  startBackends,
  startGateway,
  staticUpstream,
  stopAll,
  type TestBackend,
  type TestGateway,
} from './helpers.js';

const STICKY = { sticky: { cookie: 'gw', ttlSec: 600 } };
let backends: TestBackend[] = [];
const gateways: TestGateway[] = [];

before(async () => {
  backends = await startBackends('a', 'b', 'c');
});
after(() => stopAll([...gateways, ...backends]));

async function sessionHitRate(gw: TestGateway, clients: number, reads: number): Promise<number> {
  let hits = 0;
  for (let c = 0; c < clients; c++) {
    const created = await send(`${gw.url}/sessions`, { method: 'POST' });
    assert.equal(created.status, 201);
    const cookies = [cookieFrom(created.headers, 'sid'), cookieFrom(created.headers, 'gw')]
      .filter(Boolean)
      .join('; ');
    for (let r = 0; r < reads; r++) {
      const me = await send(`${gw.url}/sessions/me`, { headers: { cookie: cookies } });
      assert.equal(me.status, 200);
      if ((me.json as { hit: boolean }).hit) hits++;
    }
  }
  return hits / (clients * reads);
}

test('the session hit rate of in-memory sessions depends on stickiness', async () => {
  const sticky = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends, STICKY),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
  });
  const plain = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
  });
  gateways.push(sticky, plain);
  const withSticky = await sessionHitRate(sticky, 8, 9);
  const without = await sessionHitRate(plain, 8, 9);
  console.log(
    `session hit rate: sticky ${withSticky.toFixed(2)}, round robin without stickiness ${without.toFixed(2)}`,
  );
  assert.equal(withSticky, 1, 'every read finds its session behind a sticky gateway');
  assert.ok(without < 0.5, `without stickiness most reads miss (3 backends): ${without}`);
});

test('a cookie keeps a client on one backend; killing it re-sticks the client elsewhere', async () => {
  const gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends, STICKY),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
  });
  gateways.push(gw);
  const first = await send(`${gw.url}/whoami`);
  const cookie = cookieFrom(first.headers, 'gw');
  assert.ok(cookie, 'the first answer sets the sticky cookie');
  const home = (first.json as { instance: string }).instance;
  for (let i = 0; i < 20; i++) {
    const r = await send(`${gw.url}/whoami`, { headers: { cookie } });
    assert.equal((r.json as { instance: string }).instance, home);
    assert.equal(cookieFrom(r.headers, 'gw'), undefined, 'a hit does not rewrite the cookie');
  }

  await backends.find((b) => b.instance === home)!.kill();
  const moved = await send(`${gw.url}/whoami`, { headers: { cookie } });
  assert.equal(moved.status, 200, 'the request after the kill succeeds');
  const newHome = (moved.json as { instance: string }).instance;
  assert.notEqual(newHome, home);
  const newCookie = cookieFrom(moved.headers, 'gw');
  assert.ok(
    newCookie && newCookie !== cookie,
    'the client is re-stuck to the backend that answered',
  );
  for (let i = 0; i < 10; i++) {
    const r = await send(`${gw.url}/whoami`, { headers: { cookie: newCookie } });
    assert.equal((r.json as { instance: string }).instance, newHome);
  }

  const view = (await gw.admin('/admin/backends')).json as {
    upstreams: { sticky: { hit: number; miss: number; restick: number } }[];
  };
  const counts = view.upstreams[0]!.sticky;
  assert.equal(counts.miss, 1);
  assert.equal(counts.restick, 1);
  assert.equal(counts.hit, 30);
  const metrics = await send(`${gw.adminUrl}/metrics`);
  assert.match(
    metrics.text,
    /faultline_gateway_sticky_total\{upstream="booking",outcome="restick"\} 1/,
  );
});
