/**
 * SLO files: the committed ones load; malformed ones are rejected with every problem at its
 * file:line:col, YAML path and what is allowed (table-driven); loadSlos names the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSlos, parseSloText } from '../src/load.js';
import { formatSpecProblem } from '@faultline/kit/spec-problems';
import { isSloSpecError } from '../src/problems.js';

const VALID = `apiVersion: slo.faultline.dev/v1alpha1
kind: SLO
metadata:
  name: latency
spec:
  service: booking
  description: fast enough
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - target: 0.99
  indicator:
    latency:
      job: booking
      thresholdSeconds: 0.25
      routes:
        - method: POST
          route: /bookings
`;

/** VALID with line `n` (1-based) replaced by `by` (several lines allowed, or none). */
function withLine(n: number, by: string): string {
  const lines = VALID.split('\n');
  lines.splice(n - 1, 1, ...(by === '' ? [] : by.split('\n')));
  return lines.join('\n');
}

test('the committed SLO files load: booking availability and latency, gateway, scheduler', () => {
  const slos = loadSlos();
  assert.deepEqual(
    slos.map((s) => [s.service, s.name, s.sli.kind, s.objective, s.window]),
    [
      ['booking', 'availability', 'availability', 0.995, '30d'],
      ['booking', 'latency', 'latency', 0.99, '30d'],
      ['gateway', 'availability', 'availability', 0.995, '30d'],
      ['scheduler', 'freshness', 'ratio', 0.99, '30d'],
    ],
  );
  const latency = slos[1]!.sli;
  assert.ok(latency.kind === 'latency' && latency.thresholdSeconds === 0.25);
});

test('a valid file parses to the Slo shape', () => {
  const r = parseSloText(VALID, 'x.yaml');
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.slo, {
    name: 'latency',
    service: 'booking',
    description: 'fast enough',
    objective: 0.99,
    window: '30d',
    sli: {
      kind: 'latency',
      job: 'booking',
      thresholdSeconds: 0.25,
      routes: [{ method: 'POST', route: '/bookings' }],
    },
    file: 'x.yaml',
  });
});

/** [case, file text, every expected problem as `line:col: path: message` (message as a prefix)]. */
const MALFORMED: [string, string, string[]][] = [
  [
    'a threshold that is not a bucket bound',
    withLine(17, '      thresholdSeconds: 0.3'),
    [
      '17:25: spec.indicator.latency.thresholdSeconds: expected a bucket bound of http_server_request_duration_seconds (the histogram can only answer at its bounds); allowed: 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,',
    ],
  ],
  [
    'an objective of 1',
    withLine(13, '    - target: 1'),
    ['13:15: spec.objectives.0.target: expected a share in (0, 1), e.g. 0.995'],
  ],
  [
    'an objective so loose the page could never fire',
    withLine(13, '    - target: 0.9'),
    [
      '13:15: spec.objectives.0.target: the page alert would need an error ratio of 14.4 × 0.1 ≥ 1 and could never fire; allowed: a target above 0.9306',
    ],
  ],
  [
    'a misspelt field',
    withLine(7, '  descripton: fast enough'),
    [
      '5:1: spec.description: required; allowed: a string',
      '7:3: spec.descripton: unknown field; allowed: service, description, budgetingMethod, timeWindow, objectives, indicator',
    ],
  ],
  [
    'a compound duration',
    withLine(10, '    - duration: 1h30m'),
    [
      '10:17: spec.timeWindow.0.duration: expected an integer and one unit of s, m, h, d, w (e.g. 5m, 1h, 30d)',
    ],
  ],
  [
    'a period shorter than the longest burn-rate window',
    withLine(10, '    - duration: 1d'),
    ['10:17: spec.timeWindow.0.duration: expected at least 3d (the longest burn-rate window)'],
  ],
  [
    'two windows',
    withLine(11, '      isRolling: true\n    - duration: 7d\n      isRolling: true'),
    ['9:3: spec.timeWindow: expected exactly one item (one rolling window)'],
  ],
  [
    'two indicator kinds',
    withLine(
      15,
      '    availability: { job: booking, routes: [{ method: GET, route: /seats/:seatId }] }\n    latency:',
    ),
    [
      '14:3: spec.indicator: expected exactly one indicator kind; allowed: availability, latency, ratio',
    ],
  ],
  [
    'an unknown method and a route without a slash',
    VALID.replace('method: POST', 'method: FETCH').replace('route: /bookings', 'route: bookings'),
    [
      '19:19: spec.indicator.latency.routes.0.method: got "FETCH"; allowed: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      '20:18: spec.indicator.latency.routes.0.route: expected a route template starting with /',
    ],
  ],
  [
    'a wrong kind and apiVersion',
    withLine(2, 'kind: Slo').replace('slo.faultline.dev/v1alpha1', 'openslo/v1'),
    [
      '1:13: apiVersion: got "openslo/v1"; allowed: slo.faultline.dev/v1alpha1',
      '2:7: kind: got "Slo"; allowed: SLO',
    ],
  ],
  [
    'a name with upper case',
    withLine(4, '  name: Latency'),
    [
      '4:9: metadata.name: expected lower-case letters, digits and dashes, starting with a letter (e.g. availability)',
    ],
  ],
  [
    'a ratio query without $window',
    VALID.slice(0, VALID.indexOf('    latency:')) +
      '    ratio:\n      errorQuery: sum(rate(x[5m]))\n      totalQuery: sum(rate(y[$window]))\n',
    [
      '16:19: spec.indicator.ratio.errorQuery: expected a PromQL expression containing $window (the range, e.g. rate(x[$window]))',
    ],
  ],
  [
    'YAML that does not parse',
    withLine(13, '    - target: [0.99'),
    ['14:3: (document): YAML syntax error: '],
  ],
];

test('malformed SLO files: every problem at file:line:col, with its YAML path and what is allowed', () => {
  for (const [name, text, expected] of MALFORMED) {
    const r = parseSloText(text, 'bad.yaml');
    assert.ok(!r.ok, `${name}: accepted`);
    const got = r.problems.map(formatSpecProblem);
    assert.equal(got.length, expected.length, `${name}:\n${got.join('\n')}`);
    expected.forEach((e, i) =>
      assert.ok(
        got[i]!.startsWith(`bad.yaml:${e}`),
        `${name}:\n  got      ${got[i]}\n  expected bad.yaml:${e}`,
      ),
    );
  }
});

test('loadSlos lists the problems of every bad file and refuses a duplicate id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slos-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), VALID);
    writeFileSync(join(dir, 'b.yaml'), VALID);
    writeFileSync(join(dir, 'c.yaml'), withLine(13, '    - target: 1'));
    assert.throws(
      () => loadSlos(dir),
      (e: unknown) => {
        assert.ok(isSloSpecError(e));
        assert.deepEqual(
          e.problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}:${p.column}: ${p.path}`),
          ['b.yaml:1:1: metadata.name', 'c.yaml:13:15: spec.objectives.0.target'],
        );
        assert.match(e.message, /SLO booking-latency is already defined in .*a\.yaml/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
