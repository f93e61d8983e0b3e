import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget, backoffDelay, retry } from './retry.js';
import { seededRandom } from './seeded-random.js';

const failing = (error: Error) => () => Promise.reject(error);

/** Lets pending promise callbacks run (setImmediate is not mocked here). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

void test('full jitter stays within [0, min(cap, base * 2^n)] and uses the whole range', () => {
  const random = seededRandom(42);
  const baseMs = 10;
  const capMs = 1000;
  for (let attempt = 0; attempt < 12; attempt++) {
    const bound = Math.min(capMs, baseMs * 2 ** attempt);
    const samples = Array.from({ length: 2000 }, () =>
      backoffDelay(attempt, baseMs, capMs, random),
    );
    for (const d of samples) assert.ok(d >= 0 && d <= bound, `attempt ${attempt}: ${d} > ${bound}`);
    assert.ok(new Set(samples).size > 1000, 'jittered, not constant');
    assert.ok(Math.max(...samples) > 0.95 * bound, `attempt ${attempt} reaches near its bound`);
    assert.ok(Math.min(...samples) < 0.05 * bound, `attempt ${attempt} reaches near zero`);
  }
  assert.equal(backoffDelay(3, 100, 500, () => 0.999999) < 500, true);
  assert.equal(
    backoffDelay(50, 100, 500, () => 0.5),
    250,
    'capped, even for huge attempts',
  );
  assert.equal(
    backoffDelay(2000, 100, 500, () => 0.5),
    250,
    '2^n overflow still capped',
  );
  assert.equal(
    backoffDelay(1, 0, 500, () => 0.5),
    0,
  );
});

void test('retries until success, waiting full-jitter delays (mock timers)', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.after(() => mock.timers.reset());
  const attempts: number[] = [];
  const retries: { attempt: number; delayMs: number }[] = [];
  const pending = retry(
    (attempt) => {
      attempts.push(attempt);
      return attempt < 2 ? Promise.reject(new Error(`fail ${attempt}`)) : Promise.resolve('ok');
    },
    {
      maxAttempts: 5,
      baseMs: 100,
      capMs: 1000,
      random: () => 0.5,
      onRetry: ({ attempt, delayMs }) => retries.push({ attempt, delayMs }),
    },
  );
  await flush();
  assert.deepEqual(attempts, [0], 'waits before retrying');
  mock.timers.tick(49);
  await flush();
  assert.deepEqual(attempts, [0]);
  mock.timers.tick(1);
  await flush();
  assert.deepEqual(attempts, [0, 1]);
  mock.timers.tick(100);
  await flush();
  assert.equal(await pending, 'ok');
  assert.deepEqual(attempts, [0, 1, 2]);
  assert.deepEqual(retries, [
    { attempt: 1, delayMs: 50 },
    { attempt: 2, delayMs: 100 },
  ]);
});

void test('gives up after maxAttempts, and at once on a non-retryable error, with the last error', async () => {
  let calls = 0;
  await assert.rejects(
    retry(
      (attempt) => {
        calls++;
        return Promise.reject(new Error(`fail ${attempt}`));
      },
      { maxAttempts: 3, random: () => 0 },
    ),
    /fail 2/,
  );
  assert.equal(calls, 3);

  calls = 0;
  const fatal = Object.assign(new Error('400'), { retryable: false });
  await assert.rejects(
    retry(
      () => {
        calls++;
        return Promise.reject(fatal);
      },
      { maxAttempts: 3, random: () => 0, isRetryable: (e) => (e as typeof fatal).retryable },
    ),
    (e) => e === fatal,
  );
  assert.equal(calls, 1);
});

void test('an abort while waiting stops retrying with the signal reason', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.after(() => mock.timers.reset());
  const controller = new AbortController();
  let calls = 0;
  const pending = retry(
    () => {
      calls++;
      return Promise.reject(new Error('fail'));
    },
    { maxAttempts: 5, baseMs: 1000, random: () => 0.5, signal: controller.signal },
  );
  const outcome = pending.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  await flush();
  controller.abort(new Error('deadline'));
  mock.timers.tick(10_000);
  assert.match(String(await outcome), /deadline/);
  assert.equal(calls, 1);
});

void test('RetryBudget: ratio of requests plus a floor, refilled as the window slides', () => {
  let now = 0;
  const budget = new RetryBudget({
    ratio: 0.5,
    minRetriesPerSecond: 0.2,
    windowMs: 10_000,
    now: () => now,
  });
  // floor = 0.2/s × 10 s = 2 retries without any traffic.
  assert.equal(budget.tryAcquireRetry(), true);
  assert.equal(budget.tryAcquireRetry(), true);
  assert.equal(budget.tryAcquireRetry(), false, 'floor used up');
  for (let i = 0; i < 10; i++) budget.recordRequest();
  // + 0.5 × 10 requests = 7 in total.
  let granted = 0;
  while (budget.tryAcquireRetry()) granted++;
  assert.equal(granted, 5);

  now = 9_999;
  assert.equal(budget.tryAcquireRetry(), false, 'everything still inside the window');
  now = 10_000;
  assert.equal(budget.tryAcquireRetry(), true, 'the first second slid out');
  assert.equal(budget.tryAcquireRetry(), true);
  assert.equal(budget.tryAcquireRetry(), false);
});

void test('RetryBudget: buckets slide one at a time', () => {
  let now = 0;
  const budget = new RetryBudget({ ratio: 1, minRetriesPerSecond: 0, now: () => now });
  budget.recordRequest(); // at 0 s
  now = 5_000;
  budget.recordRequest(); // at 5 s
  assert.equal(budget.tryAcquireRetry(), true);
  assert.equal(budget.tryAcquireRetry(), true);
  assert.equal(budget.tryAcquireRetry(), false);
  now = 10_500; // the 0 s request left; the 5 s request and both retries remain
  assert.equal(budget.tryAcquireRetry(), false);
  now = 15_000; // the 5 s bucket (one request, two retries) left too
  budget.recordRequest();
  assert.equal(budget.tryAcquireRetry(), true);
  assert.equal(budget.tryAcquireRetry(), false);
});

void test('retry: many failures exhaust a shared budget, then retries are refused until it refills', async () => {
  let now = 0;
  const budget = new RetryBudget({
    ratio: 0.1,
    minRetriesPerSecond: 0.5,
    windowMs: 10_000,
    now: () => now,
  });
  let calls = 0;
  let retries = 0;
  let exhausted = 0;
  const run = (n: number) =>
    retry(
      (attempt) => {
        calls++;
        return Promise.reject(new Error(`op ${n} attempt ${attempt}`));
      },
      {
        maxAttempts: 3,
        random: () => 0,
        budget,
        onRetry: () => retries++,
        onBudgetExhausted: () => exhausted++,
      },
    );
  for (let n = 0; n < 20; n++) await assert.rejects(run(n), new RegExp(`op ${n} attempt`));
  // At most floor (0.5/s × 10 s = 5) + 0.1 × 20 requests.
  assert.equal(retries, 7);
  assert.equal(calls, 27);
  assert.ok(exhausted >= 13, `exhausted ${exhausted}`);

  // Every tenth request earns one more retry (ratio 0.1); then refused again, and the error
  // is the last one fn threw.
  await assert.rejects(run(98), /op 98 attempt 1$/);
  const before = exhausted;
  await assert.rejects(run(99), /op 99 attempt 0$/);
  assert.equal(exhausted, before + 1);

  now = 5_000;
  await assert.rejects(run(100), /op 100 attempt 0$/, 'still inside the window');
  now = 10_000;
  retries = 0;
  await assert.rejects(run(101), /op 101 attempt 2$/, 'refilled once the window slid past');
  assert.equal(retries, 2);
});

void test('retry without a budget still works, and succeeds first time without waiting', async () => {
  const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 0 });
  assert.equal(await retry(() => Promise.resolve(7), { maxAttempts: 3, budget }), 7);
  await assert.rejects(retry(failing(new Error('x')), { maxAttempts: 1 }), /x/);
});
