// Requests crossing an http link under an experiment's fault reach the app with
// `baggage: faultline.experiment=<id>`; without such a fault they arrive byte for byte as sent.
// The backend is a raw TCP server that records the exact bytes of each request head.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { Agent } from '../src/agent/agent.js';
import { admin, applyFault, linkPort, openSocket, startAgent } from './agent-helpers.js';

/** Each request as the backend received it (head and body), in arrival order. */
const received: string[] = [];
let backend: Server;
let agent: Agent;

/** Answers each request (heads with an optional content-length body) with 200 "ok". */
function serveRaw(sock: Socket): void {
  let buf = '';
  sock.on('error', () => undefined);
  sock.on('data', (c: Buffer) => {
    buf += c.toString('latin1');
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const len = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      received.push(buf.slice(0, end + 4 + len));
      buf = buf.slice(end + 4 + len);
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    }
  });
}

before(async () => {
  backend = createServer(serveRaw);
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const target = `127.0.0.1:${(backend.address() as AddressInfo).port}`;
  agent = await startAgent([
    { name: 'booking', target, protocol: 'http', kind: 'inbound' },
    { name: 'raw', target, protocol: 'tcp' },
  ]);
});

after(async () => {
  await agent?.stop();
  await new Promise<void>((r) => backend?.close(() => r()));
});

/** Sends `request` on `sock` and resolves with the bytes the backend got for it. */
async function exchange(sock: Socket, request: string): Promise<string> {
  const before = received.length;
  const answered = new Promise<void>((resolve) => sock.once('data', () => resolve()));
  sock.write(request);
  await answered;
  return waitFor(() => received[before], 'request at the backend');
}

/** One request over a fresh connection through `link`. */
async function through(link: string, request: string): Promise<string> {
  const sock = await openSocket(linkPort(agent, link));
  try {
    return await exchange(sock, request);
  } finally {
    sock.destroy();
  }
}

const GET = 'GET /seats/1 HTTP/1.1\r\nHost: booking\r\nUser-Agent: t\r\n\r\n';
const MARKED =
  'GET /seats/1 HTTP/1.1\r\nbaggage: faultline.experiment=exp-1\r\nHost: booking\r\nUser-Agent: t\r\n\r\n';

test('no fault: the request arrives unchanged', async () => {
  assert.equal(await through('booking', GET), GET);
});

test('a fault of an experiment on the http link: the request carries it in baggage', async () => {
  const id = await applyFault(agent, {
    type: 'latency',
    link: 'booking',
    ttlMs: 20_000,
    experiment: 'exp-1',
    params: { ms: 0 },
  });
  try {
    assert.equal(await through('booking', GET), MARKED);
    const body = '{"seatId":"s1","userId":"u"}';
    const post = `POST /bookings HTTP/1.1\r\nHost: booking\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    assert.equal(
      await through('booking', post),
      `POST /bookings HTTP/1.1\r\nbaggage: faultline.experiment=exp-1\r\nHost: booking\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      'body and content-length untouched',
    );
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
  }
  assert.equal(await through('booking', GET), GET, 'after the fault: unchanged again');
});

test('an existing baggage header is merged, not duplicated (established connection)', async () => {
  // A soft partition (any fault type counts) leaves established connections working: open one
  // before it starts, and the requests on it are still marked.
  const sock = await openSocket(linkPort(agent, 'booking'));
  try {
    assert.equal(await exchange(sock, GET), GET);
    const id = await applyFault(agent, {
      type: 'partition-soft',
      link: 'booking',
      ttlMs: 20_000,
      experiment: 'exp-1',
      params: { newConnections: 'hang' },
    });
    try {
      const got = await exchange(
        sock,
        'GET / HTTP/1.1\r\nHost: b\r\nbaggage: userId=alice,faultline.experiment=old\r\n\r\n',
      );
      assert.equal(
        got,
        'GET / HTTP/1.1\r\nbaggage: userId=alice,faultline.experiment=exp-1\r\nHost: b\r\n\r\n',
      );
    } finally {
      await admin(agent, 'DELETE', `/faults/${id}`);
    }
    // Same keep-alive connection, fault gone: back to plain piping, bytes untouched.
    assert.equal(await exchange(sock, GET), GET);
  } finally {
    sock.destroy();
  }
});

test('no experiment id, or a tcp link: requests arrive unchanged', async () => {
  const plain = await applyFault(agent, {
    type: 'latency',
    link: 'booking',
    ttlMs: 20_000,
    params: { ms: 0 },
  });
  try {
    assert.equal(await through('booking', GET), GET, 'fault without an experiment');
  } finally {
    await admin(agent, 'DELETE', `/faults/${plain}`);
  }
  const tcp = await applyFault(agent, {
    type: 'latency',
    link: 'raw',
    ttlMs: 20_000,
    experiment: 'exp-1',
    params: { ms: 0 },
  });
  try {
    assert.equal(await through('raw', GET), GET, 'tcp link under an experiment');
  } finally {
    await admin(agent, 'DELETE', `/faults/${tcp}`);
  }
});

test("an experiment's fault on another link (the pod's Redis, say) marks requests entering over http", async () => {
  const tcp = await applyFault(agent, {
    type: 'latency',
    link: 'raw',
    ttlMs: 20_000,
    experiment: 'exp-1',
    params: { ms: 0 },
  });
  try {
    assert.equal(await through('booking', GET), MARKED);
  } finally {
    await admin(agent, 'DELETE', `/faults/${tcp}`);
  }
  assert.equal(await through('booking', GET), GET, 'after the fault: unchanged again');
});
