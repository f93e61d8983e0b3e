import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatSpecProblem } from '@faultline/kit/spec-problems';
import { isExperimentSpecError, loadExperiment, parseExperimentText } from './load.js';

/** A valid spec; cases replace lines in it so positions stay easy to read. */
const VALID = `apiVersion: chaos.faultline.dev/v1alpha1
kind: Experiment
metadata:
  name: redis-latency
spec:
  target:
    service: booking
    selector:
      app: booking
    mode: one
    link: redis
  fault:
    type: latency
    latencyMs: 200
    jitterMs: 50
  duration: 30s
`;

function replaceLine(text: string, line: number, replacement: string): string {
  const lines = text.split('\n');
  lines.splice(line - 1, 1, ...replacement.split('\n'));
  return lines.join('\n');
}

interface Case {
  name: string;
  text: string;
  /** Expected problems: path, line, column (1-based) and a fragment of the message. */
  problems: { path: string; line: number; column?: number; message: RegExp }[];
  /** YAML syntax errors cascade; only the first one is pinned down. */
  firstOnly?: boolean;
}

const CASES: Case[] = [
  {
    name: 'wrong type: latencyMs as a string',
    text: replaceLine(VALID, 14, '    latencyMs: "200"'),
    problems: [
      {
        path: 'spec.fault.latencyMs',
        line: 14,
        column: 16,
        message: /expected a number, got the string "200"/,
      },
    ],
  },
  {
    name: 'wrong type: selector is a list',
    text: replaceLine(replaceLine(VALID, 9, '      - app'), 8, '    selector:'),
    problems: [
      { path: 'spec.target.selector', line: 8, message: /expected a mapping, got a list/ },
    ],
  },
  {
    name: 'unknown fault type names the allowed ones',
    text: replaceLine(VALID, 13, '    type: jitter'),
    problems: [
      {
        path: 'spec.fault.type',
        line: 13,
        column: 11,
        message:
          /unknown fault type "jitter"; allowed: pod-kill, pod-pause, latency, bandwidth, partition, http-fault/,
      },
    ],
  },
  {
    name: 'negative duration',
    text: replaceLine(VALID, 16, '  duration: -30s'),
    problems: [
      {
        path: 'spec.duration',
        line: 16,
        column: 13,
        message: /negative duration -30s; allowed: a positive duration/,
      },
    ],
  },
  {
    name: 'zero duration',
    text: replaceLine(VALID, 16, '  duration: 0s'),
    problems: [
      { path: 'spec.duration', line: 16, message: /is zero; allowed: a positive duration/ },
    ],
  },
  {
    name: 'duration without a unit',
    text: replaceLine(VALID, 16, '  duration: "30"'),
    problems: [
      { path: 'spec.duration', line: 16, message: /allowed: a number with a unit ms, s, m or h/ },
    ],
  },
  {
    name: 'duration over the maximum',
    text: replaceLine(VALID, 16, '  duration: 2h'),
    problems: [
      {
        path: 'spec.duration',
        line: 16,
        message: /longer than the maximum; allowed: up to 3600000 ms/,
      },
    ],
  },
  {
    name: 'missing duration points at spec',
    text: replaceLine(VALID, 16, ''),
    problems: [
      { path: 'spec.duration', line: 5, column: 1, message: /^required; allowed: a duration/ },
    ],
  },
  {
    name: 'negative latency',
    text: replaceLine(VALID, 14, '    latencyMs: -5'),
    problems: [
      { path: 'spec.fault.latencyMs', line: 14, message: /-5 is too small; allowed: >= 0/ },
    ],
  },
  {
    name: 'unknown field points at the key and lists the allowed fields',
    text: replaceLine(VALID, 15, '    jitterMs: 50\n    jiter: 5'),
    problems: [
      {
        path: 'spec.fault.jiter',
        line: 16,
        column: 5,
        message: /unknown field; allowed: type, latencyMs, jitterMs, direction/,
      },
    ],
  },
  {
    name: 'percent > 100 in the target mode',
    text: replaceLine(VALID, 10, '    mode: {percent: 150}'),
    problems: [
      { path: 'spec.target.mode.percent', line: 10, message: /150 is too big; allowed: <= 100/ },
    ],
  },
  {
    name: 'unknown target mode',
    text: replaceLine(VALID, 10, '    mode: some'),
    problems: [
      {
        path: 'spec.target.mode',
        line: 10,
        message: /allowed: one, all, \{fixed: N\}, \{percent: P\}/,
      },
    ],
  },
  {
    name: 'enum value lists what is allowed',
    text: replaceLine(VALID, 15, '    jitterMs: 50\n    direction: sideways'),
    problems: [
      {
        path: 'spec.fault.direction',
        line: 16,
        message: /got "sideways"; allowed: upstream, downstream, both/,
      },
    ],
  },
  {
    name: 'latency without a link',
    text: replaceLine(VALID, 11, ''),
    problems: [{ path: 'spec.target.link', line: 6, message: /required for latency faults/ }],
  },
  {
    name: 'http-fault percent > 100',
    text: replaceLine(
      replaceLine(replaceLine(VALID, 15, '    abortStatus: 503'), 14, '    percent: 101'),
      13,
      '    type: http-fault',
    ),
    problems: [
      { path: 'spec.fault.percent', line: 14, message: /101 is too big; allowed: <= 100/ },
    ],
  },
  {
    name: 'http-fault with neither abortStatus nor delayMs',
    text: replaceLine(
      replaceLine(replaceLine(VALID, 15, ''), 14, '    percent: 20'),
      13,
      '    type: http-fault',
    ),
    problems: [
      { path: 'spec.fault.abortStatus', line: 12, message: /needs abortStatus, delayMs or both/ },
    ],
  },
  {
    name: 'wrong apiVersion',
    text: replaceLine(VALID, 1, 'apiVersion: v1'),
    problems: [
      {
        path: 'apiVersion',
        line: 1,
        column: 13,
        message: /got "v1"; allowed: chaos.faultline.dev\/v1alpha1/,
      },
    ],
  },
  {
    name: 'YAML syntax error: unclosed flow sequence',
    firstOnly: true,
    text: replaceLine(VALID, 9, '      app: [booking'),
    problems: [{ path: '', line: 10, message: /^YAML syntax error: / }],
  },
  {
    name: 'YAML syntax error: bad indentation',
    firstOnly: true,
    text: replaceLine(VALID, 4, '  name: a\n bad: 1'),
    problems: [{ path: '', line: 5, message: /^YAML syntax error: / }],
  },
  {
    name: 'YAML duplicate key',
    firstOnly: true,
    text: replaceLine(VALID, 16, '  duration: 30s\n  duration: 40s'),
    problems: [{ path: '', line: 17, message: /^YAML syntax error: Map keys must be unique/ }],
  },
  {
    name: 'several problems are all reported, in file order',
    text: replaceLine(replaceLine(VALID, 16, '  duration: -1s'), 14, '    latencyMs: true'),
    problems: [
      { path: 'spec.fault.latencyMs', line: 14, message: /expected a number, got boolean true/ },
      { path: 'spec.duration', line: 16, message: /negative duration/ },
    ],
  },
];

describe('parseExperimentText: malformed specs name file, path and line', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const r = parseExperimentText(c.text, 'exp.yaml');
      assert.equal(r.ok, false, 'expected the spec to be rejected');
      if (r.ok) return;
      const got = r.problems.map((p) => ({
        path: p.path,
        line: p.line,
        column: p.column,
        message: p.message,
      }));
      if (c.firstOnly) assert.ok(got.length >= 1);
      else assert.equal(got.length, c.problems.length, JSON.stringify(got));
      c.problems.forEach((want, i) => {
        const p = r.problems[i];
        assert.ok(p, `problem ${i}`);
        assert.equal(p.file, 'exp.yaml');
        assert.equal(p.path, want.path, JSON.stringify(got));
        assert.equal(p.line, want.line, JSON.stringify(got));
        if (want.column !== undefined) assert.equal(p.column, want.column, JSON.stringify(got));
        assert.match(p.message, want.message);
      });
    });
  }
});

test('a valid spec parses with defaults and durations in ms', () => {
  const r = parseExperimentText(VALID, 'exp.yaml');
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatSpecProblem).join('\n'));
  const spec = r.experiment.spec;
  assert.equal(spec.duration, 30_000);
  assert.deepEqual(spec.fault, {
    type: 'latency',
    latencyMs: 200,
    jitterMs: 50,
    direction: 'upstream',
  });
  assert.equal(spec.safety.optInLabel, 'chaos.faultline.dev/enabled=true');
  assert.equal(spec.safety.maxReplicaShare, 0.5);
  assert.equal(spec.safety.allowFullService, false);
  assert.equal(spec.safety.dryRun, false);
});

test('fixed N larger than the replica count is not a schema error (it is a targeting one)', () => {
  const r = parseExperimentText(replaceLine(VALID, 10, '    mode: {fixed: 40}'), 'exp.yaml');
  assert.ok(r.ok);
  assert.deepEqual(r.experiment.spec.target.mode, { fixed: 40 });
});

test('the maximum duration is configurable', () => {
  const r = parseExperimentText(VALID, 'exp.yaml', { maxDurationMs: 10_000 });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.problems[0]?.message ?? '', /allowed: up to 10000 ms/);
});

test('repeat is only for pod-kill, and shorter than the duration', () => {
  const bad = parseExperimentText(
    VALID + 'repeat: {interval: 10s}\n'.replace(/^/, '  '),
    'exp.yaml',
  );
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.problems[0]?.message ?? '', /allowed with: pod-kill/);
});

describe('loadExperiment', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-exp-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('throws a branded error whose message has FILE:LINE:COL: path: message lines', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, replaceLine(VALID, 14, '    latencyMs: "200"'));
    const err = await loadExperiment(file).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(isExperimentSpecError(err));
    assert.equal(err.file, file);
    assert.match(
      err.message,
      new RegExp(`${file}:14:16: spec\\.fault\\.latencyMs: expected a number`),
    );
  });

  test('a missing file is a spec error too', async () => {
    const err: unknown = await loadExperiment(join(dir, 'nope.yaml')).catch((e: unknown) => e);
    assert.ok(isExperimentSpecError(err));
    assert.match(err.problems[0]?.message ?? '', /ENOENT/);
  });
});
