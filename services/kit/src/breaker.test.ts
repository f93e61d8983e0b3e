import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  BrokenCircuitError,
  CircuitBreaker,
  isBrokenCircuitError,
  type BreakerState,
  type CircuitBreakerOptions,
} from './breaker.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const ok = () => Promise.resolve('ok');
const boom = () => Promise.reject(new Error('boom'));

function recorded(opts: Partial<CircuitBreakerOptions> = {}) {
  const transitions: [BreakerState, BreakerState][] = [];
  let rejects = 0;
  const breaker = new CircuitBreaker({
    name: 'redis',
    failureThreshold: 3,
    openMs: 1000,
    ...opts,
    hooks: {
      onStateChange: (from, to) => transitions.push([from, to]),
      onReject: () => rejects++,
    },
  });
  return { breaker, transitions, rejects: () => rejects };
}

async function fail(breaker: CircuitBreaker, times: number) {
  for (let i = 0; i < times; i++) await assert.rejects(breaker.execute(boom), /boom/);
}

void test('closed → open after consecutive failures → half-open after openMs → closed on success (mock timers)', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.after(() => mock.timers.reset());
  const { breaker, transitions, rejects } = recorded();

  await fail(breaker, 2);
  assert.equal(await breaker.execute(ok), 'ok', 'a success resets the count');
  await fail(breaker, 2);
  assert.equal(breaker.state, 'closed');
  await fail(breaker, 1);
  assert.equal(breaker.state, 'open');

  mock.timers.tick(400);
  let calls = 0;
  await assert.rejects(
    breaker.execute(() => {
      calls++;
      return ok();
    }),
    (e) => isBrokenCircuitError(e) && e.retryAfterMs === 600 && e.breaker === 'redis',
  );
  assert.equal(calls, 0, 'an open circuit does not call the dependency');
  assert.equal(rejects(), 1);

  mock.timers.tick(599);
  assert.equal(breaker.state, 'open');
  mock.timers.tick(1);
  assert.equal(breaker.state, 'half-open');
  assert.equal(await breaker.execute(ok), 'ok');
  assert.equal(breaker.state, 'closed');
  assert.deepEqual(transitions, [
    ['closed', 'open'],
    ['open', 'half-open'],
    ['half-open', 'closed'],
  ]);
});

void test('half-open → open again when the probe fails, for another full openMs', async () => {
  let now = 0;
  const { breaker, transitions } = recorded({ now: () => now });
  await fail(breaker, 3);
  now = 1000;
  await fail(breaker, 1);
  assert.equal(breaker.state, 'open');
  now = 1999;
  assert.equal(breaker.state, 'open');
  await assert.rejects(breaker.execute(ok), (e) => isBrokenCircuitError(e) && e.retryAfterMs === 1);
  now = 2000;
  assert.equal(breaker.state, 'half-open');
  assert.deepEqual(transitions, [
    ['closed', 'open'],
    ['open', 'half-open'],
    ['half-open', 'open'],
    ['open', 'half-open'],
  ]);
});

void test('half-open admits only halfOpenMaxCalls probes and needs successThreshold successes', async () => {
  let now = 0;
  const { breaker, rejects } = recorded({
    now: () => now,
    halfOpenMaxCalls: 2,
    successThreshold: 2,
  });
  await fail(breaker, 3);
  now = 1000;
  const gates = [deferred<string>(), deferred<string>()];
  const probes = gates.map((g) => breaker.execute(() => g.promise));
  await assert.rejects(breaker.execute(ok), (e) => isBrokenCircuitError(e) && e.retryAfterMs === 0);
  assert.equal(rejects(), 1);
  gates[0]!.resolve('a');
  assert.equal(await probes[0], 'a');
  assert.equal(breaker.state, 'half-open', 'one success of two');
  gates[1]!.resolve('b');
  assert.equal(await probes[1], 'b');
  assert.equal(breaker.state, 'closed');
});

void test('a late result of a call admitted before the circuit opened does not close it', async () => {
  let now = 0;
  const { breaker } = recorded({ now: () => now });
  const slow = deferred<string>();
  const late = breaker.execute(() => slow.promise);
  await fail(breaker, 3);
  now = 1000;
  assert.equal(breaker.state, 'half-open');
  slow.resolve('late');
  assert.equal(await late, 'late');
  assert.equal(breaker.state, 'half-open', 'only a probe may close it');
});

void test('errors that isFailure rejects pass through and count as success', async () => {
  const { breaker } = recorded({ isFailure: (e) => (e as Error).message !== 'bad request' });
  for (let i = 0; i < 10; i++) {
    await assert.rejects(
      breaker.execute(() => Promise.reject(new Error('bad request'))),
      /bad request/,
    );
  }
  assert.equal(breaker.state, 'closed');
});

void test('tryAcquire / recordSuccess / recordFailure drive the same state machine', () => {
  let now = 0;
  const { breaker, transitions, rejects } = recorded({ now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(breaker.tryAcquire(), true);
    breaker.recordFailure(new Error('x'));
  }
  assert.equal(breaker.tryAcquire(), false);
  assert.equal(rejects(), 1);
  assert.ok(breaker.rejection() instanceof BrokenCircuitError);
  now = 1000;
  assert.equal(breaker.tryAcquire(), true, 'the probe');
  assert.equal(breaker.tryAcquire(), false, 'only one probe at a time');
  breaker.recordSuccess();
  assert.equal(breaker.state, 'closed');
  assert.equal(transitions.length, 3);
});

void test('isBrokenCircuitError is a brand guard', () => {
  assert.equal(isBrokenCircuitError(new BrokenCircuitError('x', 5)), true);
  assert.equal(isBrokenCircuitError({ isBrokenCircuitError: true }), true);
  assert.equal(isBrokenCircuitError(new Error('open')), false);
  assert.equal(isBrokenCircuitError(undefined), false);
});
