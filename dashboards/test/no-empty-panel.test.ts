/**
 * No empty panel: bring up the local playground, drive traffic through the gateway (our own
 * rounds and a `faultline load` run), run three chaos experiments with the CLI (Redis latency
 * on a booking replica, a scheduler leader kill for a failover, 503s on bookings for the
 * burn-rate alerts), then evaluate every dashboard query against the playground's real
 * Prometheus over the test's window. Each query must name only metrics a target exposes and
 * return data. A negative control shows the same check catching a typo'd metric and a
 * selector that matches nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARDS } from '../src/boards/all.js';
import { bookingDashboard } from '../src/boards/booking.js';
import { JaegerClient } from '@faultline/chaos/traces/jaeger-client';
import { checkExemplars } from '../src/exemplar-check.js';
import { checkDashboards } from '../src/panel-check.js';
import { PrometheusApi } from '../src/prometheus-api.js';
import { ALLOWED_EMPTY } from './panel-allow-list.js';
import { preparePlayground, type Playground } from './playground.js';
import { trafficDuring, trafficRound } from './traffic.js';

const example = (name: string) =>
  fileURLToPath(new URL(`../../../chaos/examples/${name}.yaml`, import.meta.url));

/** A temp copy of the booking-http-503 example answering every booking with a 503. */
function allBookings503(dir: string): string {
  const doc = parseDocument(readFileSync(example('booking-http-503'), 'utf8'));
  doc.setIn(['spec', 'fault', 'percent'], 100);
  const file = join(dir, 'booking-http-503-all.yaml');
  writeFileSync(file, doc.toString());
  return file;
}

let pg: Playground;
let prometheus: PrometheusApi;
let start = 0;
let end = 0;
/** Metric names seen in the targets' metadata while the experiments' engines were up. */
const seenInMetadata = new Set<string>();

async function collectMetadata(): Promise<void> {
  for (const n of await prometheus.targetMetricNames()) seenInMetadata.add(n);
}

async function exposedNames(): Promise<Set<string>> {
  await collectMetadata();
  return new Set([...(await prometheus.metricNames()), ...seenInMetadata]);
}

// The setup is long by nature (a playground, a load run, three experiments): its own bound,
// above run-tests' 120 s default, so a slow shared machine does not cut it short.
before(
  async () => {
    pg = await preparePlayground();
    const up = pg.cli('up', '--local', '--detach');
    assert.equal(up.status, 0, `faultline up failed:\n${up.stdout}\n${up.stderr}`);
    const urls = pg.urls();
    prometheus = new PrometheusApi(urls.prometheus);
    start = Date.now() / 1000;
    for (let r = 0; r < 10; r++) await trafficRound(urls.gateway, r);

    // A leader kill gives the scheduler dashboard a failover, a new term and a gap to show. It
    // runs before the load does: the engine asks each scheduler for its role with a 1 s timeout.
    const kill = await trafficDuring(
      urls.gateway,
      pg.cliAsync('chaos', 'run', example('kill-scheduler-leader'), '--duration', '10s'),
      200,
      collectMetadata,
    );
    assert.equal(kill.status, 0, `leader kill experiment failed:\n${kill.stdout}\n${kill.stderr}`);
    // The load generator (k6_* series) runs through the Redis latency experiment. Experiments and the
    // load run serve their metrics only while they run, so the targets' metadata is collected
    // between traffic rounds.
    const load = pg.cliAsync('load', 'steady-mix', '--duration', '20s', '--rate', '15', '--quiet');
    const latency = await trafficDuring(
      urls.gateway,
      pg.cliAsync('chaos', 'run', example('redis-latency-200ms'), '--duration', '8s'),
      200,
      collectMetadata,
    );
    assert.equal(
      latency.status,
      0,
      `redis latency experiment failed:\n${latency.stdout}\n${latency.stderr}`,
    );
    const loadRun = await trafficDuring(urls.gateway, load, 200, collectMetadata);
    // 99 = an SLO threshold failed (as k6 does), expected under chaos; anything else is broken.
    assert.ok(
      [0, 99].includes(loadRun.status ?? -1),
      `load run failed:\n${loadRun.stdout}\n${loadRun.stderr}`,
    );
    // 503s through the gateway burn the gateway availability budget: the burn-rate alerts fire.
    // Every booking, not the example's one in five (the gateway retries keyed bookings, so a
    // share of 20% may stay under the page threshold).
    const http503 = await trafficDuring(
      urls.gateway,
      pg.cliAsync('chaos', 'run', allBookings503(pg.stateDir), '--duration', '12s'),
      200,
      collectMetadata,
    );
    assert.match(
      http503.stdout,
      /applied http-fault/,
      `503 experiment:\n${http503.stdout}\n${http503.stderr}`,
    );
    for (let r = 0; r < 5; r++) await trafficRound(urls.gateway, 500 + r);
    await sleep(6000); // three scrapes, and a rule evaluation, after the last request
    end = Date.now() / 1000;
  },
  { timeout: 360_000 },
);

after(async () => {
  if (!pg) return;
  // A failed `down` would leave a playground running on a shared machine: retry, then say so.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const down = pg.cli('down');
    if (down.status === 0) return;
    if (attempt === 3)
      console.error(`faultline down failed; playground state in ${pg.stateDir}:\n${down.stderr}`);
    else await sleep(5000);
  }
});

test('every dashboard query names exposed metrics and returns data from the playground', async () => {
  const report = await checkDashboards({
    prometheus,
    dashboards: Object.values(DASHBOARDS).map((build) => build()),
    start,
    end,
    exposed: await exposedNames(),
    allowed: ALLOWED_EMPTY,
  });
  assert.ok(report.checked > 50, `only ${String(report.checked)} queries checked`);
  assert.deepEqual(report.problems, [], `empty or broken panels:\n${report.problems.join('\n')}`);
  assert.deepEqual(report.unusedAllowances, [], 'allow-list entries that match no panel');
});

test('every latency panel has exemplars, and an exemplar’s trace_id resolves in Jaeger', async () => {
  const tracing = pg.tracing();
  const jaegerUrl = pg.urls().jaeger;
  assert.ok(tracing.on && jaegerUrl, `exemplars need sampled traces; ${tracing.note}`);
  const report = await checkExemplars({
    prometheus,
    dashboards: Object.values(DASHBOARDS).map((build) => build()),
    start,
    end,
  });
  assert.ok(report.checked >= 8, `only ${String(report.checked)} exemplar queries checked`);
  assert.deepEqual(
    report.problems,
    [],
    `latency panels without exemplars:\n${report.problems.join('\n')}`,
  );
  const jaeger = new JaegerClient(jaegerUrl);
  const found = [];
  for (const id of report.traceIds) if (await jaeger.getTrace(id)) found.push(id);
  assert.ok(
    found.length > 0,
    `none of the exemplar trace ids is in Jaeger: ${report.traceIds.join(', ')}`,
  );
});

test('negative control: a typo’d metric and a selector matching nothing are reported by name', async () => {
  // A JSON copy, as Grafana would load it (the SDK objects carry marker methods).
  const broken = JSON.parse(JSON.stringify(bookingDashboard())) as Dashboard;
  const panels = broken.panels as { title?: string; type: string; targets?: { expr: string }[] }[];
  const outcomes = panels.find((p) => p.title === 'Booking outcomes')!;
  outcomes.targets![0]!.expr = outcomes.targets![0]!.expr.replace(
    'faultline_booking_bookings_total',
    'faultline_booking_booking_total',
  );
  const fencing = panels.find((p) => p.title === 'Fencing rejections')!;
  fencing.targets![0]!.expr = 'faultline_booking_fencing_rejections_total{operation="no-such-op"}';
  const report = await checkDashboards({
    prometheus,
    dashboards: [broken],
    start,
    end,
    exposed: await exposedNames(),
  });
  assert.equal(report.problems.length, 2, report.problems.join('\n'));
  assert.match(
    report.problems[0]!,
    /^faultline \/ Booking › Booking outcomes \[A\]: no target exposes faultline_booking_booking_total\n {4}query: sum by/,
  );
  assert.match(
    report.problems[1]!,
    /^faultline \/ Booking › Fencing rejections \[A\]: no data in the window\n {4}query: faultline_booking_fencing_rejections_total\{operation="no-such-op"\}/,
  );
});
