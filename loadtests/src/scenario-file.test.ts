import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblem, parseScenarioText } from './scenario-file.js';

const VALID = `name: t
description: a test scenario
arrival:
  executor: constant-arrival-rate
  rate: 10
  duration: 5s
maxInFlight: 10
journey:
  - op: book
    weight: 1
`;

/** Each case: the YAML, then the problems expected as `line:col path: message fragment`. */
const CASES: { name: string; yaml: string; expect: string[] }[] = [
  {
    name: 'YAML syntax error',
    yaml: 'name: t\narrival: [unclosed\n',
    expect: ['3:1 (document): YAML syntax error'],
  },
  {
    name: 'unknown top-level field',
    yaml: VALID + 'rps: 10\n',
    expect: ['11:1 rps: unknown field'],
  },
  {
    name: 'missing required fields',
    yaml: 'name: t\ndescription: d\n',
    expect: ['1:1 arrival: required', '1:1 journey: required', '1:1 maxInFlight: required'],
  },
  {
    name: 'negative rate',
    yaml: VALID.replace('rate: 10', 'rate: -5'),
    expect: ['5:9 arrival.rate: -5 is too small; allowed: > 0'],
  },
  {
    name: 'unknown executor',
    yaml: VALID.replace('constant-arrival-rate', 'per-vu-iterations'),
    expect: [
      '4:13 arrival.executor: got "per-vu-iterations"; allowed: constant-arrival-rate, ramping-arrival-rate',
    ],
  },
  {
    name: 'bad duration',
    yaml: VALID.replace('duration: 5s', 'duration: 5 seconds'),
    expect: ['6:13 arrival.duration: expected a positive duration such as 30s'],
  },
  {
    name: 'unknown operation',
    yaml: VALID.replace('op: book', 'op: cancel'),
    expect: ['9:9 journey.0.op: unknown op "cancel"; allowed: book, read-seat'],
  },
  {
    name: 'retries on a step that cannot retry',
    yaml: VALID.replace('op: book\n    weight: 1', 'op: leader\n    weight: 1\n    retries: 2'),
    expect: ['11:5 journey.0.retries: unknown field'],
  },
  {
    name: 'idempotency share above 1',
    yaml: VALID + '    idempotencyKeyShare: 1.5\n',
    expect: ['11:26 journey.0.idempotencyKeyShare: 1.5 is too big; allowed: <= 1'],
  },
  {
    name: 'empty journey',
    yaml: VALID.replace(/journey:[\s\S]*$/, 'journey: []\n'),
    expect: ['8:1 journey: expected at least 1 item(s)'],
  },
  {
    name: 'fractional in-flight bound',
    yaml: VALID.replace('maxInFlight: 10', 'maxInFlight: 2.5'),
    expect: ['7:14 maxInFlight: expected an integer'],
  },
  {
    name: 'ramping without stages',
    yaml: VALID.replace(
      /arrival:[\s\S]*?maxInFlight/,
      'arrival:\n  executor: ramping-arrival-rate\nmaxInFlight',
    ),
    expect: ['3:1 arrival.stages: required; allowed: a list'],
  },
  {
    name: 'duplicate key',
    yaml: VALID + 'name: again\n',
    expect: ['11:1 (document): YAML syntax error: Map keys must be unique'],
  },
];

for (const c of CASES) {
  test(`scenario file: ${c.name} → file:line:col errors`, () => {
    const r = parseScenarioText(c.yaml, 'bad.yaml');
    assert.equal(r.ok, false, 'the scenario must be refused');
    if (r.ok) return;
    const got = r.problems.map(formatProblem);
    for (const want of c.expect) {
      const [pos, ...rest] = want.split(' ');
      const prefix = `bad.yaml:${pos}: ${rest.join(' ')}`;
      assert.ok(
        got.some((g) => g.startsWith(prefix)),
        `expected a problem starting with\n  ${prefix}\ngot\n  ${got.join('\n  ')}`,
      );
    }
    assert.equal(got.length, c.expect.length, `exactly the expected problems: ${got.join('; ')}`);
  });
}

test('scenario file: a valid file parses, with defaults filled in', () => {
  const r = parseScenarioText(VALID, 'ok.yaml');
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatProblem).join('\n'));
  assert.equal(r.scenario.timeout, '5s');
  assert.deepEqual(r.scenario.seats, { show: 'gala', from: 1, count: 100 });
  assert.deepEqual(r.scenario.journey[0], {
    op: 'book',
    weight: 1,
    idempotencyKeyShare: 0,
    retries: 0,
  });
});
