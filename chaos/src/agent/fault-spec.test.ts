import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultRequestSchema } from './fault-spec.js';

const schema = faultRequestSchema(10_000);

test('valid requests parse, with defaults filled in', () => {
  const table: [unknown, unknown][] = [
    [
      { type: 'latency', link: 'redis', ttlMs: 100, params: { ms: 50 } },
      { ms: 50, jitterMs: 0, direction: 'upstream' },
    ],
    [
      { type: 'bandwidth', link: 'redis', ttlMs: 100, params: { bytesPerSec: 1000 } },
      { bytesPerSec: 1000, direction: 'both' },
    ],
    [{ type: 'partition-soft', link: 'redis', ttlMs: 100 }, { newConnections: 'refuse' }],
    [{ type: 'partition-hard', link: 'redis', ttlMs: 100 }, {}],
    [{ type: 'reset', link: 'redis', ttlMs: 100, params: {} }, {}],
    [
      { type: 'http-fault', link: 'web', ttlMs: 100, params: { percent: 5, delayMs: 10 } },
      { routePrefix: '/', percent: 5, delayMs: 10 },
    ],
    [{ type: 'pause', ttlMs: 100 }, {}],
    [{ type: 'kill', ttlMs: 100 }, {}],
  ];
  for (const [input, params] of table) {
    const r = schema.safeParse(input);
    assert.ok(r.success, `${JSON.stringify(input)}: ${JSON.stringify(r.error?.issues)}`);
    assert.deepEqual(r.data.params, params);
  }
});

test('invalid requests name the field', () => {
  const table: [unknown, string][] = [
    [{ type: 'nope', ttlMs: 100 }, 'type'],
    [{ type: 'latency', link: 'r', params: { ms: 1 } }, 'ttlMs'],
    [{ type: 'latency', link: 'r', ttlMs: 10_001, params: { ms: 1 } }, 'ttlMs'],
    [{ type: 'latency', link: 'r', ttlMs: 1.5, params: { ms: 1 } }, 'ttlMs'],
    [{ type: 'latency', ttlMs: 100, params: { ms: 1 } }, 'link'],
    [{ type: 'latency', link: 'r', ttlMs: 100, params: { ms: 60_001 } }, 'params.ms'],
    [{ type: 'latency', link: 'r', ttlMs: 100, params: { ms: 1, seed: -1 } }, 'params.seed'],
    [
      { type: 'bandwidth', link: 'r', ttlMs: 100, params: { bytesPerSec: 1.5 } },
      'params.bytesPerSec',
    ],
    [
      { type: 'partition-soft', link: 'r', ttlMs: 100, params: { newConnections: 'x' } },
      'params.newConnections',
    ],
    [
      {
        type: 'http-fault',
        link: 'w',
        ttlMs: 100,
        params: { percent: 1, abortStatus: 503, routePrefix: 'x' },
      },
      'params.routePrefix',
    ],
    [
      {
        type: 'http-fault',
        link: 'w',
        ttlMs: 100,
        params: { percent: 1, abortStatus: 503, methods: ['get'] },
      },
      'params.methods.0',
    ],
    [
      { type: 'latency', link: 'r', ttlMs: 100, experiment: 'has space', params: { ms: 1 } },
      'experiment',
    ],
    [{ type: 'latency', link: 'r', ttlMs: 100, id: '', params: { ms: 1 } }, 'id'],
  ];
  for (const [input, path] of table) {
    const r = schema.safeParse(input);
    assert.ok(!r.success, JSON.stringify(input));
    const paths = r.error.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes(path), `${JSON.stringify(input)}: ${paths.join(', ')}`);
  }
});
