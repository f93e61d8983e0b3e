// Each Node pod's young generation, as the pod plan starts it: 8 MiB for the gateway, which
// carries every request (at 2 MiB it scavenged ~30 times as often under load), 2 MiB for the
// other services, for the playground's memory budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPlaygroundConfig } from '../src/local/playground-config.js';
import { portBlock } from '../src/local/port-block.js';
import { buildPlan } from '../src/local/pod-plan.js';

test('the gateway runs with an 8 MiB young generation, the other Node services with 2 MiB', () => {
  const plan = buildPlan({
    config: loadPlaygroundConfig(undefined, { ports: portBlock(23_000) }),
    root: '/r',
    node: 'node',
    gatewayAdminToken: 't',
    otlpEndpoint: 'http://o',
  });
  // One line per Node pod: its service and the young-generation flags it starts with.
  const flags = plan.pods
    .filter((p) => p.command === 'node')
    .map((p) => [p.service, ...p.args.filter((a) => a.startsWith('--max-semi-space-size'))])
    .sort();
  assert.deepEqual(flags, [
    ...Array<string[]>(3).fill(['booking', '--max-semi-space-size=2']),
    ['gateway', '--max-semi-space-size=8'],
    ...Array<string[]>(3).fill(['scheduler', '--max-semi-space-size=2']),
  ]);
});
