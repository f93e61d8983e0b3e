// The engine's guard rails on a real local playground: safety refusals before anything is
// applied, a dry run that changes nothing, a malformed spec's positioned error, an abort
// condition that recovers everything, `chaos stop` and `chaos ls` from another process, the
// engine's metrics scraped by Prometheus, and the kill-the-engine drill (SIGKILL mid-run: the
// agents drop every fault within its TTL).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@faultline/kit/testing/child-process';
import { readState } from '../src/local/state-file.js';
import {
  allAgentFaults,
  appProcesses,
  run,
  runIdFrom,
  startChaosRun,
  waitSettled,
  waitVerified,
  writeSpec,
} from './chaos-helpers.js';
import { preparePlayground, type Playground } from './local-harness.js';

let pg: Playground;

before(async () => {
  pg = await preparePlayground();
  const up = pg.cli('up', '--local', '--detach');
  assert.equal(up.status, 0, `up failed:\n${up.stdout}\n${up.stderr}`);
});

after(() => {
  pg?.cli('down');
});

const spec = (name: string, body: string) => `apiVersion: chaos.faultline.dev/v1alpha1
kind: Experiment
metadata:
  name: ${name}
spec:
${body}`;

const LATENCY = (name: string, extra = '', duration = '30s') =>
  spec(
    name,
    `  target: { service: booking, mode: one, link: redis }
  fault: { type: latency, latencyMs: 50 }
  duration: ${duration}
${extra}`,
  );

test('a spec that takes every booking replica without allowFullService is refused; nothing applied', async () => {
  await waitSettled(pg);
  const file = writeSpec(
    pg,
    'all-booking',
    spec(
      'all-booking',
      `  target: { service: booking, mode: all, link: redis }
  fault: { type: latency, latencyMs: 50 }
  duration: 5s
`,
    ),
  );
  const r = pg.cli('chaos', 'run', file);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /would make 3 of 3 booking replicas unavailable \(100%\), the whole service/,
  );
  assert.match(r.stderr, /allowFullService: true/);
  assert.deepEqual(await allAgentFaults(pg), []);
  // Positive control: the same spec with the override runs.
  const ok = writeSpec(
    pg,
    'all-booking-ok',
    spec(
      'all-booking-ok',
      `  target: { service: booking, mode: all, link: redis }
  fault: { type: latency, latencyMs: 50 }
  duration: 1s
  safety: { allowFullService: true }
`,
    ),
  );
  const r2 = pg.cli('chaos', 'run', ok);
  assert.equal(r2.status, 0, r2.stdout + r2.stderr);
  assert.equal(run(pg, runIdFrom(r2.stdout)).applied.length, 3);
});

test('a target without the opt-in label is refused', () => {
  const file = writeSpec(
    pg,
    'kill-gateway',
    spec(
      'kill-gateway',
      `  target: { service: gateway }
  fault: { type: pod-kill }
  duration: 5s
  safety: { allowFullService: true }
`,
    ),
  );
  const pid = readState(pg.stateDir)!.pods.find((p) => p.name === 'gateway-0')!.pid;
  const r = pg.cli('chaos', 'run', file);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /gateway-0 does not carry the opt-in label chaos.faultline.dev\/enabled=true/,
  );
  assert.equal(readState(pg.stateDir)!.pods.find((p) => p.name === 'gateway-0')!.pid, pid);
});

test('a dry run prints what would be done and changes nothing', async () => {
  await waitSettled(pg);
  const before = await appProcesses(pg);
  const file = writeSpec(pg, 'dry', LATENCY('dry'));
  const r = pg.cli('chaos', 'run', file, '--dry-run');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /dry run on local: nothing will be changed/);
  assert.match(r.stdout, /add 50 ms latency to redis traffic of booking-\d for 30 s/);
  assert.deepEqual(await allAgentFaults(pg), []);
  const now = await appProcesses(pg);
  for (const [pod, p] of Object.entries(before)) {
    assert.equal(now[pod]!.pid, p.pid, `${pod}: same pid`);
    assert.notEqual(now[pod]!.state, 'T', `${pod}: not stopped`);
  }
  // explain says the same in plain words.
  const e = pg.cli('chaos', 'explain', file);
  assert.equal(e.status, 0);
  assert.match(e.stdout, /add 50 ms latency to redis traffic of booking-\d/);
});

test('a malformed spec exits 2 naming file, line, column and path', () => {
  const file = writeSpec(
    pg,
    'bad',
    spec('bad', `  target: { service: booking }\n  fault:\n    type: jitter\n  duration: -5s\n`),
  );
  const r = pg.cli('chaos', 'run', file);
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /bad\.yaml:8:11: spec\.fault\.type: unknown fault type "jitter"; allowed: /,
  );
  assert.match(r.stderr, /bad\.yaml:9:\d+: spec\.duration: negative duration -5s/);
});

test('an abort condition that holds (vector(1)) recovers everything: phase Aborted', async () => {
  await waitSettled(pg);
  const file = writeSpec(
    pg,
    'abort',
    LATENCY('abort', `  safety:\n    abortWhen:\n      - promql: vector(1)\n`),
  );
  const r = pg.cli('chaos', 'run', file);
  assert.equal(r.status, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /ABORT: abort condition holds/);
  const record = run(pg, runIdFrom(r.stdout));
  assert.equal(record.phase, 'Aborted');
  assert.equal(record.recovered.length, record.applied.length);
  // Relative to the run's own planned end, not a wall-clock ceiling.
  assert.ok(
    Date.parse(record.finishedAt!) < Date.parse(record.endsAt!),
    `finished ${record.finishedAt}, before the planned end ${record.endsAt}`,
  );
  assert.deepEqual(await allAgentFaults(pg), []);
  // Negative control: a condition that never holds does not abort.
  const calm = writeSpec(
    pg,
    'calm',
    LATENCY('calm', `  safety:\n    abortWhen:\n      - promql: vector(1) > 2\n`, '3s'),
  );
  const r2 = pg.cli('chaos', 'run', calm);
  assert.equal(r2.status, 0, r2.stdout + r2.stderr);
  assert.equal(run(pg, runIdFrom(r2.stdout)).phase, 'Completed');
});

test('chaos stop from another process: the engine recovers and exits; ls shows it; metrics were scraped', async () => {
  await waitSettled(pg);
  const file = writeSpec(pg, 'stoppable', LATENCY('stoppable'));
  const bg = startChaosRun(pg, [file]);
  try {
    const record = await waitVerified(pg, 'stoppable', bg.child.pid!);
    assert.equal(record.verification[0]!.outcome, 'verified');
    assert.equal((await allAgentFaults(pg)).length, 1);
    const ls = pg.cli('chaos', 'ls');
    assert.match(
      ls.stdout,
      new RegExp(`${record.id}\\s+Running\\s+latency\\s+booking-\\d\\s+1/1\\s+pid ${bg.child.pid}`),
    );
    // Prometheus finds the engine through file_sd and scrapes faultline_experiment_running.
    const prom = readState(pg.stateDir)!.urls.prometheus;
    await waitFor(
      async () => {
        const q = encodeURIComponent(
          `faultline_experiment_running{experiment="${record.id}"} == 1`,
        );
        const body = (await (await fetch(`${prom}/api/v1/query?query=${q}`)).json()) as {
          data: { result: unknown[] };
        };
        return body.data.result.length === 1;
      },
      'Prometheus to scrape the engine',
      15_000,
      250,
    );
    const stop = pg.cli('chaos', 'stop', record.id);
    assert.equal(stop.status, 0, stop.stdout + stop.stderr);
    assert.match(stop.stdout, /Aborted \(stopped on request; everything recovered\)/);
    assert.equal(await bg.exited, 3);
    assert.deepEqual(await allAgentFaults(pg), []);
    const done = run(pg, record.id);
    assert.equal(done.phase, 'Aborted');
    assert.ok(done.timings.recovered! >= done.timings.stopRequested!);
  } finally {
    bg.child.kill('SIGKILL');
  }
});

test('kill-the-engine drill: SIGKILL mid-run, every agent fault is gone within its TTL', async () => {
  await waitSettled(pg);
  const file = writeSpec(
    pg,
    'drill',
    spec(
      'drill',
      `  target: { service: booking, mode: { fixed: 1 }, link: redis }
  fault: { type: latency, latencyMs: 50 }
  duration: 60s
`,
    ),
  );
  // Renew every 500 ms: TTL 1.5 s.
  const bg = startChaosRun(pg, [file, '--renew-interval', '500']);
  const record = await waitVerified(pg, 'drill', bg.child.pid!);
  // Wait (on the agent's own record, not a fixed sleep) until renewals have carried the fault's
  // expiry past two TTLs from when it was applied: it outlived its first TTL only thanks to
  // the engine.
  const held = await waitFor(
    async () => {
      const faults = await allAgentFaults(pg);
      const f = faults[0];
      return f && Date.parse(f.expiresAt) - Date.parse(f.appliedAt) > 2 * 1500 ? faults : undefined;
    },
    'renewals to carry the fault past two TTLs',
    15_000,
    100,
  );
  assert.equal(held.length, 1, 'the fault is held (renewed) while the engine lives');
  assert.equal(held[0]!.experiment, record.id);
  assert.equal(held[0]!.ttlMs, 1500);
  bg.child.kill('SIGKILL');
  await bg.exited;
  // The TTL (1500 ms) with generous slack bounds the wait: other tests load this machine too.
  await waitFor(
    async () => (await allAgentFaults(pg)).length === 0,
    'faults to expire by their TTL (1500 ms)',
    1500 + 3000,
    50,
  );
  // chaos ls shows the dead engine; chaos stop cleans up the record (the faults already expired).
  assert.match(pg.cli('chaos', 'ls').stdout, new RegExp(`${record.id}\\s+Running.*dead \\(pid`));
  const stop = pg.cli('chaos', 'stop', record.id);
  assert.equal(stop.status, 0, stop.stdout + stop.stderr);
  assert.match(stop.stdout, /is gone: removing its recorded faults/);
  assert.match(stop.stdout, /already gone \(expired\)/);
  assert.equal(run(pg, record.id).phase, 'Aborted');
});

test('with GRAFANA_URL set, a run posts a start and an end annotation to Grafana', async () => {
  await waitSettled(pg);
  // A small HTTP receiver standing in for Grafana's annotation API: it records every POST.
  const posts: { path: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
  const grafana = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      posts.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        body: JSON.parse(text) as Record<string, unknown>,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}');
    });
  });
  await new Promise<void>((r) => grafana.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(grafana.address() as AddressInfo).port}`;
    const file = writeSpec(pg, 'annotated', LATENCY('annotated', '', '2s'));
    const bg = startChaosRun(pg, [file], {
      ...process.env,
      GRAFANA_URL: url,
      GRAFANA_TOKEN: 'test-grafana-token',
    });
    assert.equal(await bg.exited, 0, bg.output());
    const id = runIdFrom(bg.output());
    const record = run(pg, id);
    assert.equal(record.phase, 'Completed');

    assert.equal(posts.length, 2, JSON.stringify(posts));
    for (const p of posts) {
      assert.equal(p.path, '/api/annotations');
      assert.equal(p.auth, 'Bearer test-grafana-token');
      assert.deepEqual(p.body.tags, ['faultline', 'chaos', id]);
    }
    const start = posts.find((p) => String(p.body.text).startsWith(`chaos ${id} started: `));
    const end = posts.find((p) => String(p.body.text).startsWith(`chaos ${id} Completed`));
    assert.ok(start && end, JSON.stringify(posts.map((p) => p.body.text)));
    assert.equal(start.body.timeEnd, undefined, 'the start is a point');
    // The end annotation is a region covering the run: from its start to after the fault ended.
    const [from, to] = [Number(end.body.time), Number(end.body.timeEnd)];
    assert.ok(from <= Number(start.body.time), `region starts at ${from}`);
    assert.ok(to - from >= 2000, `the region spans the 2 s fault: ${to - from} ms`);
  } finally {
    await new Promise((r) => grafana.close(r));
  }
});
