import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withExperimentBaggage } from './experiment-baggage.js';
import { deriveState, needsFaultPath, type LinkFault } from './link-fault-state.js';
import { seededRandom } from '@faultline/kit/seeded-random';
import type { AppliedFault } from './fault-spec.js';

const cases: { name: string; input: string; output: string }[] = [
  {
    name: 'no baggage header: one is added after the request line',
    input: 'GET /hello HTTP/1.1\r\nHost: a\r\n\r\n',
    output: 'GET /hello HTTP/1.1\r\nbaggage: faultline.experiment=exp-1\r\nHost: a\r\n\r\n',
  },
  {
    name: 'existing entries are kept in order, the header name keeps its case',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nBaggage: userId=alice, k2=v2;p=1\r\nX: y\r\n\r\n',
    output:
      'GET / HTTP/1.1\r\nBaggage: userId=alice,k2=v2;p=1,faultline.experiment=exp-1\r\nHost: a\r\nX: y\r\n\r\n',
  },
  {
    name: 'an existing faultline.experiment entry is replaced, not duplicated',
    input: 'GET / HTTP/1.1\r\nbaggage: faultline.experiment=old;p=1,a=b\r\n\r\n',
    output: 'GET / HTTP/1.1\r\nbaggage: a=b,faultline.experiment=exp-1\r\n\r\n',
  },
  {
    name: 'the same entry already there: the header stays one entry',
    input: 'GET / HTTP/1.1\r\nbaggage: faultline.experiment=exp-1\r\n\r\n',
    output: 'GET / HTTP/1.1\r\nbaggage: faultline.experiment=exp-1\r\n\r\n',
  },
  {
    name: 'several baggage lines are merged into one',
    input:
      'GET / HTTP/1.1\r\nbaggage: a=1\r\nHost: h\r\nBAGGAGE: b=2,faultline.experiment=x\r\n\r\n',
    output: 'GET / HTTP/1.1\r\nbaggage: a=1,b=2,faultline.experiment=exp-1\r\nHost: h\r\n\r\n',
  },
  {
    name: 'the body is untouched, even when it looks like headers',
    input: 'POST /b HTTP/1.1\r\ncontent-length: 23\r\n\r\nbaggage: z=9\r\n\r\nq: r\r\n\r\n',
    output:
      'POST /b HTTP/1.1\r\nbaggage: faultline.experiment=exp-1\r\ncontent-length: 23\r\n\r\nbaggage: z=9\r\n\r\nq: r\r\n\r\n',
  },
  {
    name: 'no header fields at all',
    input: 'GET / HTTP/1.0\r\n\r\n',
    output: 'GET / HTTP/1.0\r\nbaggage: faultline.experiment=exp-1\r\n\r\n',
  },
  {
    name: 'bare LF line ends are kept',
    input: 'GET / HTTP/1.1\nHost: a\nbaggage: a=1\n\n',
    output: 'GET / HTTP/1.1\nbaggage: a=1,faultline.experiment=exp-1\nHost: a\n\n',
  },
  {
    name: 'head not complete in this chunk: a baggage line of its own after the request line',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nX-Lo',
    output: 'GET / HTTP/1.1\r\nbaggage: faultline.experiment=exp-1\r\nHost: a\r\nX-Lo',
  },
  { name: 'not a request line: unchanged', input: '{"seatId":"a"}', output: '{"seatId":"a"}' },
  {
    name: 'a response: unchanged',
    input: 'HTTP/1.1 200 OK\r\n\r\n',
    output: 'HTTP/1.1 200 OK\r\n\r\n',
  },
];

for (const c of cases) {
  test(`withExperimentBaggage: ${c.name}`, () => {
    const out = withExperimentBaggage(Buffer.from(c.input, 'latin1'), 'exp-1');
    assert.equal(out.toString('latin1'), c.output);
  });
}

const fault = (over: Partial<AppliedFault>): LinkFault => ({
  record: {
    id: 'f',
    type: 'partition-soft',
    params: { newConnections: 'refuse' },
    link: 'l',
    experiment: 'none',
    ttlMs: 1000,
    appliedAt: '2025-01-01T00:00:00.000Z',
    expiresAt: '2025-01-01T00:00:01.000Z',
    oneShot: false,
    ...over,
  },
  rng: seededRandom(1),
});

test('deriveState: only http links under an experiment mark requests (latest experiment wins)', () => {
  const exp = fault({ experiment: 'exp-a' });
  assert.equal(deriveState([exp], 'http').experiment, 'exp-a');
  assert.ok(needsFaultPath(deriveState([exp], 'http')), 'marking needs the fault-aware path');
  assert.equal(deriveState([exp], 'tcp').experiment, undefined);
  assert.equal(deriveState([fault({})], 'http').experiment, undefined, 'no experiment id');
  assert.ok(!needsFaultPath(deriveState([fault({})], 'http')), 'soft partition alone: pipes');
  const later = fault({ id: 'g', experiment: 'exp-b', appliedAt: '2025-01-01T00:00:02.000Z' });
  assert.equal(deriveState([later, exp], 'http').experiment, 'exp-b');
  assert.equal(deriveState([exp, later], 'http').experiment, 'exp-b');
});
