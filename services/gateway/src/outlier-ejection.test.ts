import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { BackendPool } from './backend-pool.js';

function pool(n: number, opts: { threshold?: number; maxPercent?: number } = {}) {
  const p = new BackendPool({
    upstream: 'u',
    maxSocketsPerBackend: 1,
    breakerFailures: 1000,
    breakerOpenMs: 1000,
    outlier: {
      consecutiveFailures: opts.threshold ?? 3,
      baseEjectionMs: 1000,
      maxEjectionMs: 2500,
      maxEjectedPercent: opts.maxPercent ?? 50,
    },
  });
  p.update(
    Array.from({ length: n }, (_, i) => ({ host: '10.0.0.1', port: 1000 + i, ready: true })),
  );
  return p;
}

test('ejected at exactly the threshold of consecutive failures; a success resets the count', () => {
  const p = pool(3);
  const b = p.all()[0]!;
  p.recordResult(b, '5xx');
  p.recordResult(b, 'connect_error');
  p.recordResult(b, '2xx');
  p.recordResult(b, 'reset');
  p.recordResult(b, 'timeout');
  assert.equal(b.ejected, false, 'the success in between reset the count');
  p.recordResult(b, '5xx');
  assert.equal(b.ejected, true);
  assert.equal(b.lastEjectionFailures, 3);
  assert.deepEqual(
    p.eligible().map((x) => x.id),
    p
      .all()
      .slice(1)
      .map((x) => x.id),
  );
  p.close();
});

test('4xx and cancelled requests never count against a backend', () => {
  const p = pool(2);
  const b = p.all()[0]!;
  for (let i = 0; i < 10; i++) p.recordResult(b, i % 2 ? '4xx' : 'cancelled');
  assert.equal(b.ejected, false);
  p.close();
});

test('no more than the max ejected share (but always one)', () => {
  const p = pool(4, { threshold: 1, maxPercent: 50 });
  for (const b of p.all()) p.recordResult(b, '5xx');
  assert.equal(p.all().filter((b) => b.ejected).length, 2, '50 % of 4');
  p.close();
  const q = pool(2, { threshold: 1, maxPercent: 10 });
  for (const b of q.all()) q.recordResult(b, '5xx');
  assert.equal(q.all().filter((b) => b.ejected).length, 1, 'at least one may always be ejected');
  q.close();
});

test('ejection ends after a back-off that grows with each ejection, capped', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  try {
    const p = pool(3, { threshold: 1 });
    const b = p.all()[0]!;
    const durations: number[] = [];
    for (let round = 0; round < 3; round++) {
      p.recordResult(b, '5xx');
      assert.equal(b.ejected, true);
      durations.push(b.ejectedUntil - Date.now());
      mock.timers.tick(durations[round]! - 1);
      assert.equal(b.ejected, true, 'still ejected just before the end');
      mock.timers.tick(1);
      assert.equal(b.ejected, false);
      assert.ok(p.eligible().includes(b), 'eligible again');
    }
    assert.deepEqual(durations, [1000, 2000, 2500]);
    p.close();
  } finally {
    mock.timers.reset();
  }
});
