// Trace-based tests through Jaeger's query API, against a running local playground with its
// own Jaeger v2 (as the OpenTelemetry demo tests itself): a booking through the gateway is one
// trace, correctly parented, down to its Redis commands; a request under a latency experiment
// carries `faultline.experiment` and its Redis span shows the delay; an exemplar trace id
// from a Prometheus histogram bucket resolves to a trace in Jaeger.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@faultline/kit/testing/child-process';
import { findJaeger } from '../src/local/jaeger-binary.js';
import { JaegerClient, type Trace, type TraceSpan } from '../src/traces/jaeger-client.js';
import { CLI, preparePlayground, type Playground } from './local-harness.js';

let pg: Playground;
let jaeger: JaegerClient;
let gateway: string;

before(async () => {
  const found = findJaeger();
  // Never skipped: without the binary these tests cannot say anything, so they fail and say how.
  if (!found.found)
    assert.fail(`the trace tests need the local Jaeger v2: ${found.reason} (or: make jaeger)`);
  pg = await preparePlayground();
  // Every request traced, so each one the tests send can be looked up.
  appendFileSync(pg.configFile, 'tracing:\n  samplingRatio: 1\n');
  const up = pg.cli('up', '--local', '--detach');
  assert.equal(up.status, 0, `up failed:\n${up.stdout}\n${up.stderr}`);
  assert.match(up.stdout, /tracing: exporting every service's spans to the local Jaeger/);
  assert.match(up.stdout, /no web UI/);
  const state = pg.state();
  assert.ok(state.urls.jaeger, 'state.json names the Jaeger query API');
  jaeger = new JaegerClient(state.urls.jaeger);
  gateway = state.urls.gateway;
});

after(() => {
  pg?.cli('down');
});

/** A fresh W3C trace id, sent as a sampled parent so the gateway continues our trace. */
function newTraceparent(): { traceId: string; parentId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

/** A fresh seat per booking (the default catalogue: gala-1..100), so each one is a 201. */
let seat = 0;

async function book(traceparent: string): Promise<number> {
  const res = await fetch(`${gateway}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ seatId: `gala-${++seat}`, userId: 'tracer' }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** A Redis command's span (ioredis instrumentation; `db.system` before semconv 1.26). */
const isRedis = (s: TraceSpan) =>
  (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis';

/** The trace once Jaeger has its gateway, booking-server and Redis spans (export is batched). */
function completeTrace(traceId: string): Promise<Trace> {
  return waitFor(
    async () => {
      const t = await jaeger.getTrace(traceId);
      const services = new Set(t?.spans.map((s) => s.service));
      return t && services.has('gateway') && services.has('booking') && t.spans.some(isRedis)
        ? t
        : undefined;
    },
    `trace ${traceId} in Jaeger with gateway, booking and Redis spans`,
    30_000,
    500,
  );
}

function bookingServerSpan(t: Trace): TraceSpan {
  const s = t.spans.find((x) => x.service === 'booking' && x.kind === 'server');
  assert.ok(s, `a booking SERVER span in ${t.traceId}: ${t.spans.map((x) => x.name).join(', ')}`);
  return s;
}

test('a booking through the gateway is one trace: gateway → booking → its Redis commands', async () => {
  const tp = newTraceparent();
  assert.equal(await book(tp.header), 201);
  const t = await completeTrace(tp.traceId);
  const byId = new Map(t.spans.map((s) => [s.spanId, s]));
  for (const s of t.spans) assert.equal(s.traceId, tp.traceId, `${s.name} is in the trace`);
  // The only span whose parent is outside the trace is the gateway's, child of our request.
  const roots = t.spans.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
  assert.deepEqual(
    roots.map((s) => [s.service, s.parentSpanId]),
    [['gateway', tp.parentId]],
  );
  const server = bookingServerSpan(t);
  assert.equal(byId.get(server.parentSpanId!)?.service, 'gateway', 'booking is a child of gateway');
  const redis = t.spans.filter(isRedis);
  assert.ok(redis.length >= 2, `lock and ledger commands at least (${redis.length})`);
  for (const r of redis) {
    // Each Redis command descends from the booking request (possibly via a booking span).
    let at: TraceSpan | undefined = r;
    while (at && at !== server) at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined;
    assert.equal(at, server, `${r.name} descends from booking's server span`);
    assert.equal(r.service, 'booking');
    assert.equal(r.kind, 'client');
    assert.ok(r.startMicros >= server.startMicros, `${r.name} starts inside booking's span`);
  }
  assert.ok(
    t.spans.some((s) => typeof s.attributes['booking.fencing_token'] === 'number'),
    'the booking records its fencing token',
  );

  // The same trace as `faultline traces ID` prints it: one line per span, parents first.
  const shown = pg.cli('traces', tp.traceId);
  assert.equal(shown.status, 0, shown.stderr);
  const lines = shown.stdout.split('\n');
  assert.match(lines[0]!, new RegExp(`^trace ${tp.traceId} {2}gateway: `));
  assert.equal(lines.filter((l) => /^ {2}(gateway|booking) /.test(l)).length, t.spans.length);
  assert.match(shown.stdout, /fencing_token=\d+/);
  assert.match(shown.stdout, /redis=/);
  const slowest = pg.cli('traces', '--service', 'booking', '--slowest', '1', '--since', '5m');
  assert.equal(slowest.status, 0, slowest.stderr);
  assert.equal(slowest.stdout.match(/^trace /gm)?.length, 1, slowest.stdout);
});

test('a request under a latency experiment carries faultline.experiment; its Redis span shows the delay', async () => {
  const control = newTraceparent();
  assert.equal(await book(control.header), 201);
  const before = await completeTrace(control.traceId);
  assert.equal(
    bookingServerSpan(before).attributes['faultline.experiment'],
    undefined,
    'no experiment before the experiment',
  );

  const file = join(pg.stateDir, 'redis-latency-all.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: chaos.faultline.dev/v1alpha1',
      'kind: Experiment',
      'metadata: { name: trace-redis-latency }',
      'spec:',
      '  target: { service: booking, selector: { app: booking }, mode: all, link: redis }',
      '  fault: { type: latency, latencyMs: 200, jitterMs: 0, direction: upstream }',
      '  duration: 20s',
      '  safety: { allowedServices: [booking], maxReplicaShare: 1, allowFullService: true }',
      '',
    ].join('\n'),
  );
  const run: ChildProcess = spawn(
    process.execPath,
    [CLI, 'chaos', 'run', file, '--config', pg.configFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  run.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  run.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => run.once('exit', (code) => r(code)));
  try {
    const experiment = await waitFor(
      () => {
        const r = pg.cli('chaos', 'ls', '--json');
        const runs = JSON.parse(r.stdout || '[]') as {
          id: string;
          phase: string;
          applied: unknown[];
        }[];
        const running = runs.find((x) => x.phase === 'Running' && x.applied.length > 0);
        return running?.id;
      },
      `the experiment running (engine output so far:\n${output})`,
      30_000,
      250,
    );
    const tp = newTraceparent();
    assert.equal(await book(tp.header), 201);
    const t = await completeTrace(tp.traceId);
    const server = bookingServerSpan(t);
    assert.equal(server.attributes['faultline.experiment'], experiment);
    const redis = t.spans.filter(isRedis);
    const slowest = Math.max(...redis.map((r) => r.durationMicros));
    assert.ok(
      slowest >= 190_000,
      `a Redis span lasts the injected 200 ms (slowest: ${slowest} µs)`,
    );
    assert.ok(server.durationMicros >= slowest, 'the booking span contains the delay');
  } finally {
    run.kill('SIGTERM');
    await exited;
  }
});

test('an exemplar trace_id from a Prometheus latency bucket resolves to a trace in Jaeger', async () => {
  for (let i = 0; i < 5; i++) assert.equal(await book(newTraceparent().header), 201);
  const prom = `http://127.0.0.1:${pg.ports.prometheus}`;
  const traceId = await waitFor(
    async () => {
      const now = Date.now() / 1000;
      const q = new URLSearchParams({
        query: 'http_server_request_duration_seconds_bucket{job="booking",http_route="/bookings"}',
        start: String(now - 300),
        end: String(now),
      });
      const body = (await (
        await fetch(`${prom}/api/v1/query_exemplars?${q.toString()}`)
      ).json()) as {
        data?: { exemplars: { labels: Record<string, string> }[] }[];
      };
      return body.data?.flatMap((s) => s.exemplars).find((e) => e.labels.trace_id)?.labels.trace_id;
    },
    'an exemplar with a trace_id on a booking latency bucket',
    30_000,
    1000,
  );
  const t = await waitFor(
    () => jaeger.getTrace(traceId),
    `exemplar trace ${traceId} in Jaeger`,
    30_000,
    500,
  );
  assert.equal(t.traceId, traceId);
  assert.ok(
    t.spans.some((s) => s.service === 'booking' && s.kind === 'server'),
    'the exemplar trace has the booking request it was recorded for',
  );
});
