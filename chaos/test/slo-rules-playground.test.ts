// The local playground's Prometheus loads the generated SLO rules (rule_files from
// prometheusConfig) and, on real traffic through the gateway, every SLO's recording rules
// produce series: checked through Prometheus's HTTP API, as a dashboard or a game day reads them.
// Last, a real total outage (every booking replica frozen with SIGSTOP) fires the game-day page
// of gateway availability; the time it took is reported, not asserted (a shared machine).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@faultline/kit/testing/child-process';
import { loadSlos } from '@faultline/slos/load';
import { sloId } from '@faultline/slos/slo';
import { HTTP_DURATION_BUCKET_BOUNDS } from '@faultline/slos/spec';
import { preparePlayground, type Playground } from './local-harness.js';

let pg: Playground;
let prom: string;
const slos = loadSlos();

interface RuleGroup {
  name: string;
  evaluationTime: number;
  rules: { name: string; health: string; lastError?: string }[];
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${prom}${path}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

/** Instant query; the value of each series by its `sloth_id` (or `le`, for bucket bounds). */
async function query(q: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
    `/api/v1/query?query=${encodeURIComponent(q)}`,
  );
  return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** A bounded burst of the requests the SLOs are about: bookings, seat reads, leader and jobs. */
async function driveTraffic(rounds: number): Promise<void> {
  const gw = `http://127.0.0.1:${pg.ports.gateway}`;
  for (let i = 0; i < rounds; i++) {
    const seatId = `slo-${i}`;
    await Promise.all([
      fetch(`${gw}/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seatId, userId: `u${i}` }),
        signal: AbortSignal.timeout(5000),
      }).then((r) => r.arrayBuffer()),
      fetch(`${gw}/seats/${seatId}`, { signal: AbortSignal.timeout(5000) }).then((r) =>
        r.arrayBuffer(),
      ),
      fetch(`${gw}/leader`, { signal: AbortSignal.timeout(5000) }).then((r) => r.arrayBuffer()),
      fetch(`${gw}/jobs?limit=5`, { signal: AbortSignal.timeout(5000) }).then((r) =>
        r.arrayBuffer(),
      ),
    ]);
    await sleep(200);
  }
}

before(async () => {
  pg = await preparePlayground();
  const up = pg.cli('up', '--local', '--detach');
  assert.equal(up.status, 0, `up failed:\n${up.stdout}\n${up.stderr}`);
  prom = `http://127.0.0.1:${pg.ports.prometheus}`;
});

after(() => {
  pg?.cli('down');
});

test('Prometheus loads every generated SLO rule group, every rule evaluates without error', async (t) => {
  const expected = slos
    .flatMap((s) =>
      ['sli-recordings', 'meta-recordings', 'alerts'].map((g) => `sloth-slo-${g}-${sloId(s)}`),
    )
    .sort();
  const groups = await waitFor(
    async () => {
      const { groups } = await api<{ groups: RuleGroup[] }>('/api/v1/rules');
      const evaluated = groups.every((g) => g.rules.every((r) => r.health !== 'unknown'));
      return groups.length >= expected.length && evaluated ? groups : undefined;
    },
    'every SLO rule group loaded and evaluated once',
    30_000,
    500,
  );
  assert.deepEqual(groups.map((g) => g.name).sort(), expected);
  for (const g of groups)
    for (const r of g.rules)
      assert.equal(r.health, 'ok', `${g.name} ${r.name}: ${r.lastError ?? ''}`);
  const ms = groups.reduce((sum, g) => sum + g.evaluationTime * 1000, 0);
  t.diagnostic(`one evaluation of all ${groups.length} SLO rule groups: ${ms.toFixed(1)} ms`);
});

test('on real traffic every SLO records its error ratio, objective and burn rate', async () => {
  // While traffic flows: with none, a ratio over a short window is 0/0 (NaN), correctly.
  const traffic = driveTraffic(80);
  const ids = slos.map(sloId).sort();
  for (const record of [
    'slo:sli_error:ratio_rate5s',
    'slo:sli_error:ratio_rate1m',
    'slo:current_burn_rate:ratio',
  ]) {
    const series = await waitFor(
      async () => {
        const r = await query(record);
        return r.length === ids.length && r.every((x) => Number.isFinite(x.value)) ? r : undefined;
      },
      `${record} for every SLO`,
      30_000,
      500,
    );
    assert.deepEqual(series.map((s) => s.metric.sloth_id).sort(), ids, record);
    for (const s of series) {
      assert.ok(
        Number.isFinite(s.value) && s.value >= 0,
        `${record} ${s.metric.sloth_id} = ${s.value}`,
      );
      if (record.startsWith('slo:sli_error'))
        assert.ok(s.value <= 1, `${record} ${s.metric.sloth_id} = ${s.value}`);
    }
  }
  await traffic;
  const objectives = await query('slo:objective:ratio');
  assert.deepEqual(
    Object.fromEntries(objectives.map((o) => [o.metric.sloth_id, o.value])),
    Object.fromEntries(slos.map((s) => [sloId(s), s.objective])),
  );
});

test('the latency SLO threshold list matches the buckets the booking service exposes', async () => {
  const les = await waitFor(
    async () => {
      const r = await query(
        'count by (le) (http_server_request_duration_seconds_bucket{job="booking"})',
      );
      return r.length > 0 ? r.map((x) => x.metric.le!) : undefined;
    },
    'booking duration buckets scraped',
    30_000,
    500,
  );
  const bounds = les
    .filter((le) => le !== '+Inf')
    .map(Number)
    .sort((a, b) => a - b);
  assert.deepEqual(bounds, [...HTTP_DURATION_BUCKET_BOUNDS]);
  assert.ok(les.includes('0.25'), 'the booking latency SLO counts le="0.25"');
});

test('a total outage of booking behind the gateway fires the game-day page for gateway availability', async (t) => {
  const gw = `http://127.0.0.1:${pg.ports.gateway}`;
  const frozen = pg.state().pods.filter((p) => p.name.startsWith('booking-') && p.pid);
  assert.equal(frozen.length, 3, 'three booking replicas');
  const firing = `ALERTS{alertname="SLOBurnRatePageGameDay",sloth_id="gateway-availability",alertstate="firing"}`;
  assert.deepEqual(await query(firing), [], 'not firing before the outage');

  // Booking-only traffic, 20 requests/s, bounded: the gateway answers 5xx while no replica does.
  const stop = new AbortController();
  const traffic = (async () => {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 1200 && !stop.signal.aborted; i++) {
      pending.push(
        fetch(`${gw}/seats/outage-${i % 50}`, { signal: AbortSignal.timeout(12_000) })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined),
      );
      await sleep(50);
    }
    await Promise.all(pending);
  })();
  await sleep(3000); // a few seconds of healthy traffic first
  const frozenAt = Date.now();
  for (const p of frozen) process.kill(p.pid!, 'SIGSTOP');
  try {
    const alert = await waitFor(
      async () => ((await query(firing)).length > 0 ? query(firing) : undefined),
      'SLOBurnRatePageGameDay firing for gateway-availability',
      90_000,
      500,
    );
    assert.equal(alert[0]?.metric.severity, 'page');
    assert.equal(alert[0]?.metric.window_set, 'gameday');
    t.diagnostic(
      `game-day page fired ${((Date.now() - frozenAt) / 1000).toFixed(1)} s after the booking replicas froze`,
    );
  } finally {
    for (const p of frozen) {
      try {
        process.kill(p.pid!, 'SIGCONT');
      } catch {
        // restarted by the supervisor meanwhile: nothing to resume
      }
    }
    stop.abort();
    await traffic;
  }
});
