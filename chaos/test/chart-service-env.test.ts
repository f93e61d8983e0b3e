/**
 * Every `BOOKING_*`, `SCHEDULER_*`, `GATEWAY_*` and `FAULTLINE_AGENT_*` variable the chart sets
 * is a setting of that program's config. The programs read only the keys of their config shape,
 * so a variable the chart sets that is not one is silently ignored — as `SCHEDULER_HOST` was:
 * the scheduler kept listening on 127.0.0.1, where no kubelet probe and no Prometheus scrape
 * of the pod IP reaches it. No kubelet runs in these tests, so the rendering is where to see it.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHART_DIR } from './chart-image.js';
import { brokenChartCopy, renderChart, type KubeObject } from './chart-render.js';

/** Compiled config modules, by URL: chaos imports no service, but its tests may read one. */
const SERVICES = new URL('../../../services/', import.meta.url);
const PROGRAMS: { prefix: string; module: URL; shape: string }[] = [
  {
    prefix: 'BOOKING_',
    module: new URL('booking/dist/src/config.js', SERVICES),
    shape: 'configShape',
  },
  {
    prefix: 'GATEWAY_',
    module: new URL('gateway/dist/src/config.js', SERVICES),
    shape: 'configShape',
  },
  {
    prefix: 'SCHEDULER_',
    module: new URL('scheduler/dist/src/config.js', SERVICES),
    shape: 'schedulerConfigShape',
  },
  {
    prefix: 'FAULTLINE_AGENT_',
    module: new URL('../src/agent/config.js', import.meta.url),
    shape: 'agentConfigShape',
  },
];

const settings = new Map<string, Set<string>>();
for (const p of PROGRAMS) {
  const mod = (await import(p.module.href)) as Record<string, Record<string, unknown>>;
  settings.set(p.prefix, new Set(Object.keys(mod[p.shape] ?? {})));
}

interface Container {
  name: string;
  env?: { name: string }[];
}

const containersOf = (o: KubeObject): Container[] =>
  (o.spec as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template?.spec
    ?.containers ?? [];

/** `<Kind>/<name> container <c>: <VAR> is not a setting of <prefix>*` for each stray variable. */
function strayVariables(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    for (const c of containersOf(o))
      for (const { name } of c.env ?? []) {
        // The longest matching prefix: FAULTLINE_AGENT_ before any shorter one.
        const prefix = [...settings.keys()]
          .filter((p) => name.startsWith(p))
          .sort((a, b) => b.length - a.length)[0];
        if (prefix && !settings.get(prefix)!.has(name.slice(prefix.length)))
          problems.push(
            `${o.kind}/${o.metadata.name} container ${c.name}: ${name} is not a setting of ${prefix}* (${[...settings.get(prefix)!].join(', ')})`,
          );
      }
  }
  return problems;
}

const DEFAULTS = join(CHART_DIR, 'ci', 'defaults-values.yaml');

test('every service variable the chart sets is one its program reads', async () => {
  const objects = await renderChart(CHART_DIR, DEFAULTS);
  const seen = objects.flatMap((o) =>
    containersOf(o).flatMap((c) => (c.env ?? []).map((e) => e.name)),
  );
  for (const p of PROGRAMS)
    assert.ok(
      seen.some((n) => n.startsWith(p.prefix)),
      `the rendering sets some ${p.prefix}* variable (else this check reads nothing)`,
    );
  assert.deepEqual(strayVariables(objects), []);
});

test('negative control: a misspelt variable in a template is caught', async () => {
  const dir = await brokenChartCopy(
    'templates/booking.yaml',
    '{ name: BOOKING_HOST, value: 0.0.0.0 }',
    '{ name: BOOKING_LISTEN_HOST, value: 0.0.0.0 }',
  );
  try {
    const problems = strayVariables(await renderChart(dir, DEFAULTS));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /StatefulSet\/booking container booking: BOOKING_LISTEN_HOST/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
