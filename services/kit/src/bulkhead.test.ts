import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  Bulkhead,
  BulkheadRejectedError,
  isBulkheadRejectedError,
  type BulkheadRejectReason,
} from './bulkhead.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run (setImmediate is not mocked here). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function recorded(maxConcurrent: number, maxQueue: number, queueTimeoutMs?: number) {
  const rejects: BulkheadRejectReason[] = [];
  const changes: [number, number, number][] = [];
  const bulkhead = new Bulkhead({
    name: 'payments',
    maxConcurrent,
    maxQueue,
    queueTimeoutMs,
    hooks: {
      onReject: (r) => rejects.push(r),
      onChange: (a, q, s) => changes.push([a, q, s]),
    },
  });
  return { bulkhead, rejects, changes };
}

void test('runs maxConcurrent at once, queues maxQueue, rejects the rest when the queue is full', async () => {
  const { bulkhead, rejects, changes } = recorded(2, 1);
  const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
  let started = 0;
  const runs = gates.map((g) =>
    bulkhead.execute(() => {
      started++;
      return g.promise;
    }),
  );
  await flush();
  assert.equal(started, 2);
  assert.equal(bulkhead.active, 2);
  assert.equal(bulkhead.queued, 1);
  assert.equal(bulkhead.saturation, 1);

  let ran = false;
  await assert.rejects(
    bulkhead.execute(() => {
      ran = true;
      return Promise.resolve('x');
    }),
    (e) => isBulkheadRejectedError(e) && e.reason === 'queue-full' && e.bulkhead === 'payments',
  );
  assert.equal(ran, false);
  assert.deepEqual(rejects, ['queue-full']);

  gates[0]!.resolve('a');
  assert.equal(await runs[0], 'a');
  await flush();
  assert.equal(started, 3, 'the queued call took the freed slot');
  assert.equal(bulkhead.active, 2);
  assert.equal(bulkhead.queued, 0);

  gates[1]!.reject(new Error('b failed'));
  await assert.rejects(runs[1]!, /b failed/);
  gates[2]!.resolve('c');
  assert.equal(await runs[2], 'c');
  assert.equal(bulkhead.active, 0);
  assert.equal(bulkhead.saturation, 0);
  assert.deepEqual(changes.at(-1), [0, 0, 0]);
  assert.ok(
    changes.some(([a, q, s]) => a === 2 && q === 1 && s === 1),
    'onChange saw full saturation',
  );
});

void test('a freed slot goes to the queue, not to a newcomer', async () => {
  const { bulkhead } = recorded(1, 1);
  const first = deferred();
  const order: string[] = [];
  const a = bulkhead.execute(async () => {
    await first.promise;
    order.push('first');
  });
  const b = bulkhead.execute(() => {
    order.push('queued');
    return Promise.resolve();
  });
  first.resolve();
  await a;
  // The slot was handed to the queued call, so a newcomer arriving now must queue behind it.
  const c = bulkhead.execute(() => {
    order.push('newcomer');
    return Promise.resolve();
  });
  await Promise.all([b, c]);
  assert.deepEqual(order, ['first', 'queued', 'newcomer']);
});

void test('a queued call times out after queueTimeoutMs (mock timers)', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.after(() => mock.timers.reset());
  const { bulkhead, rejects } = recorded(1, 2, 100);
  const hold = deferred();
  const running = bulkhead.execute(() => hold.promise);
  let ran = false;
  const waiting = bulkhead
    .execute(() => {
      ran = true;
      return Promise.resolve();
    })
    .then(
      () => 'ran',
      (e: unknown) => e,
    );
  await flush();
  assert.equal(bulkhead.queued, 1);
  mock.timers.tick(99);
  await flush();
  assert.equal(bulkhead.queued, 1);
  mock.timers.tick(1);
  const e = await waiting;
  assert.ok(isBulkheadRejectedError(e) && e.reason === 'queue-timeout', String(e));
  assert.equal(ran, false);
  assert.equal(bulkhead.queued, 0);
  assert.deepEqual(rejects, ['queue-timeout']);
  hold.resolve();
  await running;
  assert.equal(bulkhead.active, 0);
});

void test('an aborted signal takes a call out of the queue', async () => {
  const { bulkhead } = recorded(1, 1);
  const hold = deferred();
  const running = bulkhead.execute(() => hold.promise);
  const controller = new AbortController();
  const waiting = bulkhead.execute(() => Promise.resolve('ran'), controller.signal);
  assert.equal(bulkhead.queued, 1);
  controller.abort(new Error('deadline passed'));
  await assert.rejects(waiting, /deadline passed/);
  assert.equal(bulkhead.queued, 0);
  hold.resolve();
  await running;
  assert.equal(bulkhead.active, 0);
});

void test('maxQueue 0 rejects whatever cannot run at once; bad sizes are refused', async () => {
  const { bulkhead } = recorded(1, 0);
  const hold = deferred();
  const running = bulkhead.execute(() => hold.promise);
  await assert.rejects(
    bulkhead.execute(() => Promise.resolve()),
    BulkheadRejectedError,
  );
  hold.resolve();
  await running;
  assert.throws(() => new Bulkhead({ name: 'x', maxConcurrent: 0, maxQueue: 1 }), RangeError);
  assert.throws(() => new Bulkhead({ name: 'x', maxConcurrent: 1, maxQueue: -1 }), RangeError);
});
