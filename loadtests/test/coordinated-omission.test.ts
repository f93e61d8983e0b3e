/**
 * Coordinated omission: a server that stalls for 1 s every N requests. The open model keeps
 * starting requests during the stall and counts their latency from the scheduled start, so the
 * stall shows in p99. The closed-model control — a few workers that each wait for their answer
 * before sending the next, timing from the actual send, like wrk or a naive loop — sends almost
 * nothing during the stall and hides it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Pool } from 'undici';
import { runLoad } from '../src/run-load.js';
import { trendStats } from '../src/run-stats.js';
import { constantScenario, startFixture, type Fixture } from './fixtures.js';

const STALL_MS = 1000;
const EVERY_N = 300;
const RATE = 100;
const DURATION_MS = 6000;

let server: Fixture;
let stalledUntil = 0;
const arrivals: number[] = [];
const stalls: { from: number; to: number }[] = [];

before(async () => {
  server = await startFixture((_req, res, n) => {
    const now = Date.now();
    arrivals.push(now);
    if (n % EVERY_N === 0) {
      stalledUntil = now + STALL_MS;
      stalls.push({ from: now, to: stalledUntil });
    }
    // A stall freezes the whole server: everything that arrives during it waits for its end.
    const wait = Math.max(0, stalledUntil - now);
    setTimeout(() => res.end('{}'), wait);
  });
});
after(() => server.close());

/** Requests that reached the server per stall window, over the stalls that ended before the run. */
function arrivalsPerStall(): number {
  const last = arrivals[arrivals.length - 1] ?? 0;
  const whole = stalls.filter((s) => s.to < last);
  if (whole.length === 0) return NaN;
  return arrivals.filter((t) => whole.some((s) => t > s.from && t < s.to)).length / whole.length;
}

test('open model: requests keep starting during a stall, and p99 includes the stall', async (t) => {
  arrivals.length = 0;
  stalls.length = 0;
  const summary = await runLoad({
    scenario: 'fixture',
    compiled: constantScenario('leader', RATE, `${DURATION_MS}ms`),
    target: server.url,
  });
  const f = summary.faultline;
  assert.equal(f.scheduled, (RATE * DURATION_MS) / 1000);
  assert.equal(f.started, f.scheduled, 'nothing dropped: every scheduled request started');
  // About RATE requests arrive in each 1 s stall; the open model keeps sending them.
  const during = arrivalsPerStall();
  assert.ok(during >= RATE * 0.5, `requests arriving per stall: ${during} (expected ~${RATE})`);
  const p99 = summary.metrics.http_req_duration!['p(99)'] as number;
  assert.ok(p99 >= STALL_MS * 0.5, `p99 ${p99} ms includes the ${STALL_MS} ms stall`);
  openP99 = p99;
  t.diagnostic(`open model: p99 ${p99.toFixed(1)} ms, ${during} requests sent per stall`);
});

let openP99 = 0;

test('closed-model control: workers wait for answers, send nothing during the stall, hide it', async (t) => {
  arrivals.length = 0;
  stalls.length = 0;
  stalledUntil = 0;
  const workers = 2;
  const pool = new Pool(server.url, { connections: workers });
  const latencies: number[] = [];
  const interval = (1000 / RATE) * workers;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let k = 0; ; k++) {
        const slot = t0 + w * (interval / workers) + k * interval;
        if (slot - t0 >= DURATION_MS) return;
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const sent = performance.now();
        const res = await pool.request({ path: '/leader', method: 'GET' });
        await res.body.dump();
        latencies.push(performance.now() - sent);
      }
    }),
  );
  await pool.close();
  const closed = trendStats(latencies);
  assert.ok(stalls.length >= 1, 'the server stalled for the control too');
  // Every worker is stuck on its one request: nothing else arrives until the stall ends.
  const last = arrivals[arrivals.length - 1] ?? 0;
  const during = arrivals.filter((t) =>
    stalls.some((s) => s.to < last && t > s.from && t < s.to),
  ).length;
  assert.ok(
    during <= workers,
    `closed model sent ${during} requests per stall (at most one per worker)`,
  );
  t.diagnostic(
    `closed model: p99 ${closed.percentile(99).toFixed(1)} ms, ${during} requests sent during stalls, ${latencies.length} of ${(RATE * DURATION_MS) / 1000} sent`,
  );
  assert.ok(openP99 > 0, 'the open-model test ran first');
  assert.ok(
    closed.percentile(99) * 3 < openP99,
    `closed p99 ${closed.percentile(99).toFixed(1)} ms hides the stall that open p99 ${openP99.toFixed(1)} ms shows`,
  );
});
