import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseGuard, type KeepAliveOnce } from './lease-guard.js';

/** Flushes pending promise callbacks (keep-alive answers). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function harness(t: TestContext, keepAliveOnce: KeepAliveOnce) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
  const events: string[] = [];
  const guard = new LeaseGuard({
    ttlMs: 3000,
    intervalMs: 1000,
    marginMs: 500,
    keepAliveOnce,
    now: () => Date.now(),
    onUnprovable: () => events.push(`unprovable@${Date.now()}`),
    onLost: () => events.push(`lost@${Date.now()}`),
  });
  return { guard, events };
}

test('answered keep-alives keep the lease provable', async (t) => {
  const { guard, events } = harness(t, () => Promise.resolve(3));
  guard.start(0);
  for (let i = 0; i < 10; i++) {
    t.mock.timers.tick(1000);
    await settle();
  }
  assert.equal(guard.isProvablyHeld(), true);
  assert.deepEqual(events, []);
  guard.stop();
});

test('silent etcd: unprovable at last send + TTL - margin, never later', async (t) => {
  let answer = true;
  const { guard, events } = harness(t, () =>
    answer ? Promise.resolve(3) : new Promise(() => undefined),
  );
  guard.start(0);
  await settle();
  t.mock.timers.tick(1000); // renewal sent at 1000 and answered
  await settle();
  answer = false;
  for (let i = 0; i < 5; i++) {
    t.mock.timers.tick(500);
    await settle();
  }
  // Proof: 1000 + 3000; act until 4000 - 500.
  assert.deepEqual(events, ['unprovable@3500']);
  assert.equal(guard.isProvablyHeld(), false);
  guard.stop();
});

test('a slow answer extends the proof from its send time, not its arrival', async (t) => {
  let calls = 0;
  const { guard } = harness(t, () => {
    calls++;
    // The second renewal (sent at 1000) is answered 1500 ms later.
    return calls === 2
      ? new Promise((r) => setTimeout(() => r(3), 1500))
      : calls === 1
        ? Promise.resolve(3)
        : new Promise(() => undefined);
  });
  guard.start(0);
  await settle();
  t.mock.timers.tick(1000);
  await settle();
  t.mock.timers.tick(1500);
  await settle();
  assert.equal(guard.actUntil, 1000 + 3000 - 500);
  guard.stop();
});

test('etcd answering TTL 0 means the lease is gone', async (t) => {
  const { guard, events } = harness(t, () => Promise.resolve(0));
  guard.start(0);
  await settle();
  assert.deepEqual(events, ['lost@0']);
  assert.equal(guard.isProvablyHeld(), false);
});
