// The proxy's edges against a real gateway process: malformed and oversized requests get a 4xx
// JSON answer, no backend gives a clear 503 naming the upstream, timeouts answer 504 instead
// of hanging, the deadline travels downstream, and the admin API (token, picker, drain).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { waitFor } from '@faultline/kit/testing/child-process';
import {
  send,
  startBackends,
  startGateway,
  stopAll,
  type TestBackend,
  type TestGateway,
} from './helpers.js';

let backends: TestBackend[] = [];
let gw: TestGateway;
before(async () => {
  backends = await startBackends('a', 'b');
  gw = await startGateway({
    GATEWAY_UPSTREAMS: JSON.stringify([
      {
        name: 'booking',
        prefix: '/',
        picker: 'round-robin',
        discovery: { kind: 'static', backends: backends.map((b) => b.address) },
      },
      {
        name: 'nowhere',
        prefix: '/nowhere',
        discovery: { kind: 'static', backends: ['127.0.0.1:1'] },
      },
    ]),
    GATEWAY_HEALTH_INTERVAL_MS: '100',
    GATEWAY_MAX_BODY_BYTES: '1024',
    GATEWAY_MAX_HEADER_BYTES: '4096',
    GATEWAY_PER_TRY_TIMEOUT_MS: '300',
    GATEWAY_MAX_ATTEMPTS: '2',
    GATEWAY_OUTLIER_CONSECUTIVE_FAILURES: '1000',
    GATEWAY_BREAKER_FAILURES: '1000',
  });
});
after(() => stopAll([gw, ...backends]));

type ErrorJson = { error: string; upstream?: string; details: { path: string; message: string }[] };

/** Writes raw bytes and returns the whole raw answer (the server closes after an error). */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (c) => (out += c.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('no answer')));
  });
}

test('oversized headers → 431 JSON', async () => {
  const r = await send(`${gw.url}/whoami`, { headers: { 'x-big': 'x'.repeat(8000) } });
  assert.equal(r.status, 431);
  assert.equal((r.json as ErrorJson).error, 'headers_too_large');
  assert.equal((r.json as ErrorJson).details[0]!.path, 'headers');
});

test('oversized body → 413 JSON, by Content-Length and by streaming', async () => {
  const declared = await send(`${gw.url}/orders`, { method: 'POST', body: 'x'.repeat(2000) });
  assert.equal(declared.status, 413);
  assert.equal((declared.json as ErrorJson).details[0]!.path, 'body');
  const chunked = await raw(
    Number(new URL(gw.url).port),
    'POST /orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `800\r\n${'y'.repeat(2048)}\r\n0\r\n\r\n`,
  );
  assert.match(chunked, /^HTTP\/1.1 413/);
  assert.match(chunked, /body_too_large/);
  // An idempotent PUT is buffered for replay: bounded the same way.
  const buffered = await send(`${gw.url}/orders`, { method: 'PUT', body: 'x'.repeat(2000) });
  assert.equal(buffered.status, 413);
});

test('malformed requests → 400 JSON', async () => {
  const port = Number(new URL(gw.url).port);
  const garbage = await raw(port, 'THIS IS NOT HTTP\r\n\r\n');
  assert.match(garbage, /^HTTP\/1.1 400/);
  assert.match(garbage, /"error":"malformed_request"/);
  const absolute = await raw(
    port,
    'GET http://elsewhere.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  assert.match(absolute, /^HTTP\/1.1 400/);
});

test('no available backend → 503 naming the upstream', async () => {
  // Before active health notices, the attempt fails to connect (502); after, 503.
  const settled = await waitFor(
    async () => {
      const x = await send(`${gw.url}/nowhere/x`);
      return x.status === 503 ? x : undefined;
    },
    'the upstream to run out of backends',
    5_000,
    50,
  );
  // The wait established the 503; why: active health took the only backend out.
  const [only] = await gw.backends('nowhere');
  assert.equal(only?.state, 'unhealthy', JSON.stringify(only));
  assert.match(String(settled.headers['content-type']), /^application\/json/);
  assert.equal(settled.headers['retry-after'], '1', 'a 503 says when to come back');
  const body = settled.json as ErrorJson;
  assert.equal(body.error, 'no_backend');
  assert.equal(body.upstream, 'nowhere');
  assert.match(body.details[0]!.message, /upstream nowhere has no available backend/);
});

test('a slow backend gets a 504 after the per-try timeouts, never a hang; the deadline travels', async () => {
  // upstream_timeout (not the backend's 200 after 5 s) shows the gateway answered on its own.
  const slow = await send(`${gw.url}/slow?ms=5000`);
  assert.equal(slow.status, 504);
  assert.equal((slow.json as ErrorJson).error, 'upstream_timeout');
  const echoed = await send(`${gw.url}/echo`, { headers: { 'x-faultline-deadline-ms': '1500' } });
  const deadline = Number((echoed.json as { deadline: string }).deadline);
  assert.ok(deadline > 0 && deadline <= 1500, `downstream deadline ${deadline}`);
});

test('admin API: token required, picker change validated, drain lets in-flight requests finish', async () => {
  const anonymous = await send(`${gw.adminUrl}/admin/backends`);
  assert.equal(anonymous.status, 401);
  const wrong = await gw.admin('/admin/upstreams/booking/picker', {
    method: 'PUT',
    body: { picker: 'fastest' },
  });
  assert.equal(wrong.status, 400);
  assert.equal((wrong.json as ErrorJson).details[0]!.path, 'picker');
  const ok = await gw.admin('/admin/upstreams/booking/picker', {
    method: 'PUT',
    body: { picker: 'least-request' },
  });
  assert.equal(ok.status, 200);
  const view = (await gw.admin('/admin/backends')).json as {
    upstreams: { name: string; picker: string }[];
  };
  assert.equal(view.upstreams.find((u) => u.name === 'booking')!.picker, 'least-request');

  // A slow request is in flight on some backend; drain that backend.
  const inFlight = send(`${gw.url}/slow?ms=250`);
  const busy = await (async () => {
    for (let i = 0; i < 100; i++) {
      const b = (await gw.backends('booking')).find((x) => x.inFlight > 0);
      if (b) return b;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no request in flight');
  })();
  const drained = await gw.admin(`/admin/upstreams/booking/backends/${busy.id}/drain`, {
    method: 'POST',
  });
  assert.equal(drained.status, 202);
  assert.equal((drained.json as { state: string }).state, 'drained');
  const finished = await inFlight;
  assert.equal(finished.status, 200, 'the in-flight request on the drained backend finished');
  const drainedInstance = (finished.json as { instance: string }).instance;
  for (let i = 0; i < 6; i++) {
    const r = await send(`${gw.url}/whoami`);
    assert.notEqual(
      (r.json as { instance: string }).instance,
      drainedInstance,
      'no new requests to a drained backend',
    );
  }
  const undrain = await gw.admin(`/admin/upstreams/booking/backends/${busy.id}/drain`, {
    method: 'DELETE',
  });
  assert.equal(undrain.status, 200);
  const unknown = await gw.admin('/admin/upstreams/booking/backends/10.9.9.9:1/drain', {
    method: 'POST',
  });
  assert.equal(unknown.status, 404);
});
