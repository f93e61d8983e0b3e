// Retrying what never reached a backend, one case at a time, against real processes. A
// refused connection never carried a byte of the request: it is sent to another backend even
// as a POST without Idempotency-Key, a streamed body with it, and counted under
// reason="connect-failure". A request the backend may have read is not retried without a key:
// neither when the backend executed it and then dropped the connection, nor on a reused
// keep-alive connection the backend closed after our bytes went out (from the gateway that
// looks exactly like a backend that read the request and crashed).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { freePort } from '@faultline/kit/testing/free-port';
import { waitFor } from '@faultline/kit/testing/child-process';
import { sampleValue } from '@faultline/kit/testing/metric-samples';
import { startGateway, stopAll, type TestGateway } from './helpers.js';
import {
  errorOf,
  executions,
  postBooking,
  receiptDir,
  startReceiptBackend,
  type ReceiptBackend,
} from './receipt-backends.js';

const started: (ReceiptBackend | TestGateway)[] = [];
const dir = receiptDir();
after(async () => {
  await stopAll(started);
  dir.remove();
});

/** One upstream over `addresses` in this order, round robin; only the retry rules decide. */
function gatewayOver(addresses: string[]): Promise<TestGateway> {
  return startGateway({
    GATEWAY_UPSTREAMS: JSON.stringify([
      {
        name: 'booking',
        prefix: '/',
        picker: 'round-robin',
        discovery: { kind: 'static', backends: addresses },
      },
    ]),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
    GATEWAY_OUTLIER_CONSECUTIVE_FAILURES: '1000',
    GATEWAY_BREAKER_FAILURES: '1000',
    GATEWAY_MAX_ATTEMPTS: '2',
  });
}

interface RetriesView {
  made: number;
  budgetExhausted: number;
  byReason: Record<string, number>;
}
async function retriesOf(gw: TestGateway): Promise<RetriesView> {
  const r = await gw.admin('/admin/backends');
  return (r.json as { upstreams: { retries: RetriesView }[] }).upstreams[0]!.retries;
}

test('a refused connection is retried on another backend whatever the method, a streamed body with it', async () => {
  const live = await startReceiptBackend('live', dir.path);
  started.push(live);
  const deadPort = await freePort(); // nothing listens there: every connection is refused
  const dead = `127.0.0.1:${deadPort}`;
  // Round robin over [dead, live], the retry moving on to live: every first attempt is dead.
  const gw = await gatewayOver([dead, live.address]);
  started.push(gw);

  for (let i = 0; i < 4; i++) {
    const r = await postBooking(gw.url, `refused-${i}`);
    assert.equal(r.status, 201, r.text);
    assert.equal((r.json as { instance: string }).instance, 'live');
  }
  const deadView = (await gw.backends()).find((b) => b.id === dead)!;
  const retries = await retriesOf(gw);
  assert.equal(deadView.requests.connect_error, 4, 'each POST first went to the dead backend');
  assert.equal(retries.byReason['connect-failure'], 4, JSON.stringify(retries));
  assert.equal(retries.made, 4);
  const metrics = (await gw.admin('/metrics')).text;
  assert.equal(
    sampleValue(metrics, 'faultline_gateway_retries_total', {
      upstream: 'booking',
      reason: 'connect-failure',
    }),
    4,
  );
  assert.equal(
    sampleValue(metrics, 'faultline_gateway_retries_total', {
      upstream: 'booking',
      reason: 'reset',
    }),
    0,
  );

  // A chunked body, half of it sent before the refused attempt failed and half after: the
  // retry replays the first half and streams the second (the backend checks the body whole).
  const id = 'refused-chunked';
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      `${gw.url}/bookings`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          'x-request-id': id,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(`{"requestId":${JSON.stringify(id)}`);
    waitFor(
      async () => (await retriesOf(gw)).byReason['connect-failure'] === 5,
      'the refused first attempt of the chunked POST',
    ).then(
      () => req.end(',"seatId":"gala-1"}'),
      (e: unknown) => req.destroy(e as Error),
    );
  });
  const chunked = await answer;
  assert.equal(chunked.status, 201, chunked.text);
  assert.deepEqual(
    Object.fromEntries(executions([live])),
    {
      'refused-0': 1,
      'refused-1': 1,
      'refused-2': 1,
      'refused-3': 1,
      'refused-chunked': 1,
    },
    'every POST executed exactly once',
  );
});

test('a POST the backend executed before dropping the connection is not retried; with a key it is (control)', async () => {
  const backends = [
    await startReceiptBackend('crash-a', dir.path),
    await startReceiptBackend('crash-b', dir.path),
  ];
  started.push(...backends);
  const gw = await gatewayOver(backends.map((b) => b.address));
  started.push(gw);

  const r = await postBooking(gw.url, 'crash-1', { path: '/bookings/crash' });
  assert.equal(r.status, 502, r.text);
  assert.equal(errorOf(r), 'upstream_reset', 'the request had been sent');
  assert.equal(executions(backends).get('crash-1'), 1, 'sent once, executed once');
  assert.equal((await retriesOf(gw)).made, 0);

  const keyed = await postBooking(gw.url, 'crash-2', {
    path: '/bookings/crash',
    headers: { 'idempotency-key': 'crash-2' },
  });
  assert.equal(keyed.status, 502);
  assert.equal(executions(backends).get('crash-2'), 2, 'with a key the retry is visible here');
  assert.equal((await retriesOf(gw)).byReason.reset, 1);
});

test('a reused keep-alive connection the backend closes after our bytes went out is not retried without a key', async () => {
  // The closer drops the second request on every connection unread.
  const closer = await startReceiptBackend('closer', dir.path, { BACKEND_CLOSE_REUSED: '1' });
  const live = await startReceiptBackend('live-2', dir.path);
  started.push(closer, live);
  const gw = await gatewayOver([closer.address, live.address]);
  started.push(gw);
  const post = (id: string, headers?: Record<string, string>) =>
    postBooking(gw.url, id, { headers });
  const instanceOf = (r: { json: unknown }) => (r.json as { instance?: string }).instance;

  // Round robin alternates closer, live, ...; the gateway keeps its connection to closer.
  assert.equal(instanceOf(await post('ka-1')), 'closer');
  assert.equal(instanceOf(await post('ka-2')), 'live-2');
  const dropped = await post('ka-3'); // closer, on the connection of ka-1
  assert.equal(dropped.status, 502, dropped.text);
  assert.equal(errorOf(dropped), 'upstream_reset', 'bytes were written: it may have been read');
  assert.equal((await retriesOf(gw)).made, 0, 'not retried');
  assert.equal(instanceOf(await post('ka-4')), 'live-2');
  assert.equal(instanceOf(await post('ka-5')), 'closer'); // a new connection
  assert.equal(instanceOf(await post('ka-6')), 'live-2');
  // Control: the same drop with an Idempotency-Key is retried on live.
  const keyed = await post('ka-7', { 'idempotency-key': 'ka-7' });
  assert.equal(keyed.status, 201, keyed.text);
  assert.equal(instanceOf(keyed), 'live-2');
  const retries = await retriesOf(gw);
  assert.deepEqual([retries.made, retries.byReason.reset], [1, 1], JSON.stringify(retries));
  assert.equal(executions([closer, live]).get('ka-3'), undefined, 'ka-3 was never executed');
});
