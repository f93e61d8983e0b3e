// The never-sent proof against real loopback sockets: when undici calls onRequestStart (the
// request is about to be written) in each case, and what that proves.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { freePort } from '@faultline/kit/testing/free-port';
import { neverSentReason } from './never-sent.js';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A raw server: `onRequest(socket, n)` for the n-th request head seen on a connection. */
async function rawServer(onRequest: (socket: Socket, n: number) => void): Promise<number> {
  const server = createServer((socket) => {
    let n = 0;
    socket.on('data', (d) => {
      if (d.includes('\r\n\r\n')) onRequest(socket, ++n);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Sent {
  /** undici called onRequestStart. */
  started: () => boolean;
  abort: () => void;
  /** Settles with the request's error, or undefined once it was answered. */
  failed: Promise<(Error & { code?: string }) | undefined>;
}

/** Sends a POST through `pool` with a handler that records what undici reports. */
function post(pool: Pool): Sent {
  let started = false;
  let controller: Dispatcher.DispatchController | undefined;
  let aborted = false;
  let settle!: (e: (Error & { code?: string }) | undefined) => void;
  const failed = new Promise<(Error & { code?: string }) | undefined>((r) => (settle = r));
  pool.dispatch(
    { path: '/b', method: 'POST', body: '{"seat":1}', headersTimeout: 0, bodyTimeout: 0 },
    {
      onRequestStart(c) {
        if (aborted) return c.abort(new Error('given up'));
        controller = c;
        started = true;
      },
      onResponseStart: () => undefined,
      onResponseData: () => undefined,
      onResponseEnd: () => settle(undefined),
      onResponseError: (_c, e) => settle(e),
    },
  );
  return {
    started: () => started,
    abort: () => {
      aborted = true;
      controller?.abort(new Error('given up'));
    },
    failed,
  };
}

test('a refused connection: onRequestStart never ran, a connect failure', async () => {
  const pool = new Pool(`http://127.0.0.1:${await freePort()}`);
  const sent = post(pool);
  const e = await sent.failed;
  assert.equal(e?.code, 'ECONNREFUSED');
  assert.equal(sent.started(), false);
  assert.equal(neverSentReason(sent.started(), e.code), 'connect-failure');
  await pool.destroy();
});

test('a reused keep-alive connection the server drops after our write counts as sent', async () => {
  const port = await rawServer((socket, n) => {
    if (n === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy(); // read our head, then gone: the gateway cannot tell it from a crash
  });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  const first = post(pool);
  assert.equal(await first.failed, undefined);
  assert.equal(neverSentReason(first.started()), undefined, 'an answered request was sent');
  const second = post(pool);
  const e = await second.failed;
  assert.ok(e, 'the dropped connection fails the request');
  assert.equal(second.started(), true);
  assert.equal(neverSentReason(second.started(), e.code), undefined);
  await pool.destroy();
});

test('a request still queued for a connection when it is given up never sent a byte', async () => {
  let heads = 0;
  const port = await rawServer(() => {
    heads++; // never answers: the first request keeps the only connection
  });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  const first = post(pool);
  const queued = post(pool);
  // Bounded poll: the first request reached the server, the second waits behind it.
  for (let i = 0; i < 200 && heads === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(heads, 1);
  assert.equal(first.started(), true);
  assert.equal(queued.started(), false, 'waiting in the pool');
  assert.equal(neverSentReason(queued.started()), 'connect-failure');
  queued.abort();
  first.abort();
  await first.failed;
  await pool.destroy();
  assert.equal(heads, 1, 'the given-up request was never written');
});
