// Soft vs hard partition on an established, real Redis connection through the agent, and the
// reset fault. Soft: the established connection still answers, new ones fail. Hard: the
// established connection goes silent (bytes held, not reset) and new ones hang; when the
// partition ends the held bytes are delivered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { freePort } from '@faultline/kit/testing/free-port';
import type { Agent } from '../src/agent/agent.js';
import { admin, applyFault, linkPort, openSocket, startAgent, within } from './agent-helpers.js';

let redis: RedisServer;
let agent: Agent;

before(async () => {
  redis = await startRedis();
  agent = await startAgent([{ name: 'redis', target: `127.0.0.1:${redis.port}` }]);
});

after(async () => {
  await agent?.stop();
  await redis?.stop();
});

/** A client through the link that never retries, so failures show as they happen. */
function client(): Redis {
  return new Redis({
    port: linkPort(agent, 'redis'),
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2000,
  });
}

/** Writes an inline PING on a raw connection and waits up to `ms` for the reply. */
async function rawPing(port: number, ms: number): Promise<string> {
  const s = await openSocket(port);
  try {
    const reply = new Promise<string>((resolve, reject) => {
      s.once('data', (c: Buffer) => resolve(c.toString()));
      s.once('error', (e: NodeJS.ErrnoException) => reject(e));
      s.once('close', () => reject(new Error('closed')));
    });
    s.write('PING\r\n');
    return await within(reply, ms);
  } finally {
    s.destroy();
  }
}

test('soft partition: the established connection answers PING, new connections fail', async () => {
  const established = client();
  await established.connect();
  assert.equal(await established.ping(), 'PONG');
  const id = await applyFault(agent, { type: 'partition-soft', link: 'redis', ttlMs: 20_000 });
  try {
    assert.equal(await established.ping(), 'PONG', 'established connection untouched');
    const fresh = client();
    fresh.on('error', () => undefined); // the rejection below is what we check
    await assert.rejects(
      fresh.connect().then(() => fresh.ping()),
      'a new connection fails',
    );
    fresh.disconnect();
    await assert.rejects(rawPing(linkPort(agent, 'redis'), 2000), /ECONNRESET|closed/);
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
    established.disconnect();
  }
});

test('hard partition: the established PING hangs, new connections hang; held bytes arrive after', async () => {
  const established = client();
  await established.connect();
  assert.equal(await established.ping(), 'PONG');
  const id = await applyFault(agent, { type: 'partition-hard', link: 'redis', ttlMs: 20_000 });
  let pending: Promise<string> | undefined;
  let freshReply: Promise<string> | undefined;
  try {
    pending = established.ping();
    assert.equal(await within(pending, 1500), 'timeout', 'the established connection is silent');
    assert.equal(
      established.status,
      'ready',
      'not reset: the client still sees an open connection',
    );
    // A new connection: TCP accepts it, but nothing it sends is answered.
    freshReply = rawPing(linkPort(agent, 'redis'), 10_000);
    assert.equal(await within(freshReply, 1500), 'timeout', 'a new connection hangs');
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
  }
  // Documented: bytes held during a hard partition are released in order when it ends.
  assert.equal(
    await within(pending, 5000),
    'PONG',
    'the held PING is answered after the partition',
  );
  assert.match(await within(freshReply, 5000), /PONG/, 'the held new connection is served after');
  assert.equal(await established.ping(), 'PONG');
  established.disconnect();
});

test('reset: an established connection gets ECONNRESET, and so does a new one', async () => {
  const s = await openSocket(linkPort(agent, 'redis'));
  const seen = new Promise<string>((resolve) => {
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.once('close', () => resolve('closed without error'));
  });
  s.write('PING\r\n');
  await new Promise((r) => s.once('data', r));
  const id = await applyFault(agent, { type: 'reset', link: 'redis', ttlMs: 20_000 });
  try {
    assert.equal(await within(seen, 5000), 'ECONNRESET');
    await assert.rejects(rawPing(linkPort(agent, 'redis'), 3000), { code: 'ECONNRESET' });
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
  }
  assert.match(await rawPing(linkPort(agent, 'redis'), 3000), /PONG/, 'served again after removal');
});

test('soft partition with newConnections=hang: new connections are accepted but never served', async () => {
  const id = await applyFault(agent, {
    type: 'partition-soft',
    link: 'redis',
    ttlMs: 20_000,
    params: { newConnections: 'hang' },
  });
  try {
    assert.equal(await within(rawPing(linkPort(agent, 'redis'), 10_000), 1000), 'timeout');
  } finally {
    await admin(agent, 'DELETE', `/faults/${id}`);
  }
});

test('a target that refuses is mirrored: the client connection is reset', async () => {
  const dead = await freePort(); // nothing listens there
  const own = await startAgent([{ name: 'gone', target: `127.0.0.1:${dead}` }]);
  try {
    await assert.rejects(rawPing(linkPort(own, 'gone'), 3000), { code: 'ECONNRESET' });
  } finally {
    await own.stop();
  }
});
