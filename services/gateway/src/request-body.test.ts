// A streamed body moved from a failed attempt to a second one arrives whole at the second,
// and one past the limit is reported once; with real loopback servers on both sides.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createServer,
  request,
  type ClientRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@faultline/kit/testing/child-process';
import { StreamedBody } from './request-body.js';

const servers: Server[] = [];
after(() =>
  servers.forEach((s) => {
    s.closeAllConnections();
    s.close();
  }),
);

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The backend: answers with the body it received. */
const backend = listen((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => res.end(body));
});

function upstream(url: string): ClientRequest {
  const r = request(`${url}/`, {
    method: 'POST',
    agent: false,
    headers: { 'transfer-encoding': 'chunked' },
  });
  r.on('error', () => {});
  return r;
}

/** A client streaming `parts` to a gateway-side server, the next part once `ready(i)`. */
function client(url: string, parts: string[], ready: (i: number) => Promise<unknown>) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${url}/`, {
      method: 'POST',
      agent: false,
      headers: { 'transfer-encoding': 'chunked' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    void (async () => {
      for (let i = 0; i < parts.length; i++) {
        await ready(i);
        req.write(parts[i]);
      }
      req.end();
    })();
  });
}

test('what the first attempt consumed is replayed to the second, then the rest follows', async () => {
  const backendUrl = await backend;
  let seen = 0;
  const gateway = await listen((req, res) => {
    const body = new StreamedBody(req, 1024, true);
    const first = upstream(backendUrl);
    body.sendTo(first, () => assert.fail('not too large'));
    req.once('data', () => {
      seen = 1;
      // The first attempt is given up after part one; the second gets everything.
      body.detach();
      first.destroy();
      const second = upstream(backendUrl);
      second.on('response', (r) => r.pipe(res));
      body.sendTo(second, () => assert.fail('not too large'));
    });
  });
  const r = await client(gateway, ['{"requestId":', '"r-1"}'], (i) =>
    i === 0 ? Promise.resolve() : waitFor(() => seen === 1, 'part one at the gateway'),
  );
  assert.deepEqual(r, { status: 200, text: '{"requestId":"r-1"}' });
});

test('a body past the limit is reported once, to the current attempt only', async () => {
  const backendUrl = await backend;
  let tooLarge = 0;
  const gateway = await listen((req, res) => {
    const body = new StreamedBody(req, 8, true);
    body.sendTo(upstream(backendUrl), () => {
      tooLarge++;
      res.statusCode = 413;
      res.end('too large');
    });
  });
  const r = await client(gateway, ['12345', '67890', 'abcde'], () => Promise.resolve());
  assert.equal(r.status, 413);
  assert.equal(tooLarge, 1);
});
