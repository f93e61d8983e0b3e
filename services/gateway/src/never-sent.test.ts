// The never-sent proof against real loopback sockets: what node:http reports in each case,
// and why `socket.bytesWritten` could not serve as the proof.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type ClientRequest } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { freePort } from '@faultline/kit/testing/free-port';
import { SendWatch } from './never-sent.js';

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

/** Sends a POST and settles with its error (or undefined once it was answered). */
function post(
  port: number,
  agent: Agent | false,
): {
  req: ClientRequest;
  watch: SendWatch;
  failed: Promise<NodeJS.ErrnoException | undefined>;
} {
  const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/b', agent });
  const watch = new SendWatch(req);
  const failed = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    req.on('error', resolve);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(undefined));
    });
  });
  req.end('{"seat":1}');
  return { req, watch, failed };
}

test('a refused connection never sent a byte, though socket.bytesWritten counts the queued head', async () => {
  const { req, watch, failed } = post(await freePort(), false);
  const e = await failed;
  assert.equal(e?.code, 'ECONNREFUSED');
  assert.ok((req.socket?.bytesWritten ?? 0) > 0, 'bytesWritten includes what is still queued');
  assert.equal(watch.neverSent(e.code), 'connect-failure');
});

test('a reused keep-alive connection the server drops after our write counts as sent', async () => {
  const port = await rawServer((socket, n) => {
    if (n === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy(); // read our head, then gone: the gateway cannot tell it from a crash
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const first = post(port, agent);
  assert.equal(await first.failed, undefined);
  assert.equal(first.watch.neverSent(), undefined, 'an answered request was sent');
  const second = post(port, agent);
  const e = await second.failed;
  assert.equal(e?.code, 'ECONNRESET');
  assert.equal(second.req.reusedSocket, true);
  assert.equal(second.watch.neverSent(e.code), undefined);
  agent.destroy();
});

test('a request still queued for a socket when it is given up never sent a byte', async () => {
  const port = await rawServer(() => {
    // Never answers: the first request keeps the only socket.
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const first = post(port, agent);
  const queued = post(port, agent);
  assert.equal(queued.req.socket, null, 'waiting in the agent');
  assert.equal(queued.watch.neverSent(), 'connect-failure');
  queued.req.destroy();
  first.req.destroy();
  await Promise.all([first.failed, queued.failed]);
  agent.destroy();
});
