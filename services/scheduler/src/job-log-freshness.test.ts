// The freshness check counts fresh while the newest record is young, stale once it is older
// than the bound, and nothing before the first record; the age gauge follows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '@faultline/kit/metrics';
import { JobLogFreshness, staleAfterMsFor } from './job-log-freshness.js';
import { createSchedulerMetrics } from './scheduler-metrics.js';

async function counts(metrics: ReturnType<typeof createSchedulerMetrics>) {
  const { values } = await metrics.jobLogChecks.get();
  const of = (result: string) => {
    const v = values.find((x) => x.labels.result === result);
    if (!v) throw new Error(`no faultline_scheduler_job_log_checks_total{result="${result}"}`);
    return v.value;
  };
  return { fresh: of('fresh'), stale: of('stale') };
}

test('checks count fresh, then stale once the newest record is older than three ticks', async () => {
  const metrics = createSchedulerMetrics(createMetrics({ runtime: false }));
  let seenAt: number | undefined;
  const freshness = new JobLogFreshness({
    lastRecordSeenAt: () => seenAt,
    intervalMs: 500,
    staleAfterMs: staleAfterMsFor(500),
    metrics,
  });
  assert.deepEqual(await counts(metrics), { fresh: 0, stale: 0 }, 'both series exist at 0');

  assert.equal(freshness.check(10_000), 'not-started');
  assert.deepEqual(
    await counts(metrics),
    { fresh: 0, stale: 0 },
    'nothing counted before a record',
  );

  seenAt = 10_000;
  assert.equal(freshness.check(10_400), 'fresh');
  assert.equal(freshness.check(11_500), 'fresh', 'exactly three ticks old is still fresh');
  assert.equal(freshness.check(11_501), 'stale');
  assert.equal(freshness.check(20_000), 'stale');
  assert.deepEqual(await counts(metrics), { fresh: 2, stale: 2 });
  assert.equal((await metrics.jobLogAge.get()).values[0]?.value, 10);

  seenAt = 20_000; // the log advances again
  assert.equal(freshness.check(20_100), 'fresh');
  assert.deepEqual(await counts(metrics), { fresh: 3, stale: 2 });
});
