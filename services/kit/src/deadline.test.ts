import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  DEADLINE_HEADER,
  Deadline,
  TimeoutError,
  deadlineMiddleware,
  isTimeoutError,
  requestDeadline,
  withTimeout,
} from './deadline.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

void test('an incoming budget shrinks outgoing timeouts, and keeps shrinking as time passes', () => {
  const c = clock();
  const d = Deadline.fromHeader('300', 1000, c.now);
  assert.equal(d.timeoutFor(1000), 300);
  assert.equal(d.timeoutFor(50), 50, 'a shorter own timeout still wins');
  c.advance(120);
  assert.equal(d.timeoutFor(1000), 180);
  assert.equal(d.headerValue(), '180');
  assert.equal(d.expired, false);
  c.advance(500);
  assert.equal(d.remainingMs(), 0, 'never negative');
  assert.equal(d.timeoutFor(1000), 0);
  assert.equal(d.expired, true);
});

void test('fromHeader: the caller can shrink the budget but never grow it; bad values are ignored', () => {
  const c = clock();
  const cases: [string | string[] | undefined, number][] = [
    [undefined, 1000],
    ['300', 300],
    ['5000', 1000],
    ['0', 0],
    [' 250 ', 250],
    ['-5', 1000],
    ['abc', 1000],
    ['1e3', 1000],
    ['12.5', 1000],
    ['', 1000],
    ['400, 200', 200],
    [['700', 'x', '600'], 600],
  ];
  for (const [header, want] of cases) {
    assert.equal(
      Deadline.fromHeader(header, 1000, c.now).remainingMs(),
      want,
      `header ${JSON.stringify(header)}`,
    );
  }
});

void test('headerValue rounds down so the callee never outlives the caller', () => {
  const c = clock(0);
  const d = Deadline.after(100.7, c.now);
  assert.equal(d.headerValue(), '100');
});

void test('signal() aborts with a TimeoutError at the deadline (mock timers)', (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.after(() => mock.timers.reset());
  const d = Deadline.after(100);
  const s = d.signal();
  assert.equal(d.signal(), s, 'one signal per deadline');
  mock.timers.tick(99);
  assert.equal(s.aborted, false);
  mock.timers.tick(1);
  assert.equal(s.aborted, true);
  assert.ok(isTimeoutError(s.reason));
  assert.equal(Deadline.after(0).signal().aborted, true, 'an expired deadline is aborted at once');
});

void test('withTimeout rejects with a TimeoutError and aborts the signal', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.after(() => mock.timers.reset());
  let seen: AbortSignal | undefined;
  const pending = withTimeout((signal) => {
    seen = signal;
    return new Promise<string>(() => {}); // never settles: only the timeout can end it
  }, 50);
  const outcome = pending.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  mock.timers.tick(49);
  assert.equal(seen?.aborted, false);
  mock.timers.tick(1);
  const e = await outcome;
  assert.ok(isTimeoutError(e), `expected a TimeoutError, got ${String(e)}`);
  assert.equal(e.timeoutMs, 50);
  assert.equal(seen?.aborted, true);
  assert.ok(isTimeoutError(seen.reason));
});

void test('withTimeout passes results and errors through untouched', async () => {
  assert.equal(await withTimeout(() => Promise.resolve(42), 1000), 42);
  const boom = new Error('boom');
  await assert.rejects(
    withTimeout(() => Promise.reject(boom), 1000),
    (e) => e === boom,
  );
});

void test('withTimeout follows a parent signal such as a request deadline', async () => {
  const parent = new AbortController();
  const pending = withTimeout(
    (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('inner'))),
      ),
    10_000,
    { signal: parent.signal },
  );
  parent.abort(new TimeoutError('deadline exceeded'));
  await assert.rejects(pending, (e) => isTimeoutError(e) && e.message === 'deadline exceeded');
  await assert.rejects(
    withTimeout(() => Promise.resolve(1), 1000, { signal: AbortSignal.abort(new Error('gone')) }),
    /gone/,
  );
});

void test('isTimeoutError is a brand guard, not instanceof', () => {
  assert.equal(isTimeoutError(new TimeoutError()), true);
  assert.equal(isTimeoutError({ isTimeoutError: true }), true);
  assert.equal(isTimeoutError(new Error('x')), false);
  assert.equal(isTimeoutError(null), false);
  assert.equal(isTimeoutError('timeout'), false);
});

void test('deadlineMiddleware puts the propagated deadline on res.locals', async (t) => {
  const app = express();
  app.use(deadlineMiddleware(1000));
  app.get('/', (_req, res) => {
    res.json({ outgoing: requestDeadline(res).timeoutFor(1000) });
  });
  app.get('/bare', (_req, res) => {
    res.json({ outgoing: requestDeadline(res).timeoutFor(5000) });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const shrunk = (await (await fetch(base, { headers: { [DEADLINE_HEADER]: '300' } })).json()) as {
    outgoing: number;
  };
  assert.ok(shrunk.outgoing <= 300 && shrunk.outgoing > 0, `outgoing ${shrunk.outgoing}`);

  const fallback = (await (await fetch(`${base}/bare`)).json()) as { outgoing: number };
  assert.ok(fallback.outgoing <= 1000 && fallback.outgoing > 300, `outgoing ${fallback.outgoing}`);
});

void test('requestDeadline fails loudly when the middleware is missing', () => {
  const res = { locals: {} } as unknown as express.Response;
  assert.throws(() => requestDeadline(res), /deadlineMiddleware is not installed/);
});
