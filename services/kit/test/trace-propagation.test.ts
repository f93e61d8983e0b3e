// Trace context crosses two kit-based services (A calls B): the exported OTLP spans form one
// trace with the parent/child links and HTTP attributes, and A's log line carries its trace id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import type { OtlpReceiver, ReceivedSpan } from '@faultline/kit/testing/otlp-receiver';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startRedis } from '@faultline/kit/testing/redis-server';
import { HELLO_ENTRY, startTracedChain, type TracedChain } from './helpers.js';

let services: TracedChain;
let receiver: OtlpReceiver;
let a: NodeService;

before(async () => {
  services = await startTracedChain({ a: 'svc-a', b: 'svc-b' });
  ({ receiver, a } = services);
});

after(() => services?.stop());

const SERVER = 2;
const CLIENT = 3;

test('one trace: A server → A client → B server, with HTTP attributes', async () => {
  const res = await fetch(`${a.url}/chain`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { via: 'svc-a', upstream: { hello: 'svc-b' } });

  const find = (pred: (s: ReceivedSpan) => boolean) => receiver.spans.find(pred);
  const bServer = await waitFor(
    () =>
      find(
        (s) =>
          s.service === 'svc-b' && s.kind === SERVER && s.attributes['http.route'] === '/hello',
      ),
    'B server span',
  );
  const aClient = await waitFor(
    () => find((s) => s.service === 'svc-a' && s.kind === CLIENT && s.traceId === bServer.traceId),
    'A client span',
  );
  const aServer = await waitFor(
    () => find((s) => s.service === 'svc-a' && s.kind === SERVER && s.traceId === bServer.traceId),
    'A server span',
  );

  assert.equal(aServer.parentSpanId, undefined, "A's server span is the root");
  assert.equal(
    bServer.parentSpanId,
    aClient.spanId,
    "B's server span is the child of A's client span",
  );
  assert.equal(aServer.attributes['http.route'], '/chain');
  assert.equal(
    aServer.attributes['http.request.method'] ?? aServer.attributes['http.method'],
    'GET',
  );
  assert.equal(
    aServer.attributes['http.response.status_code'] ?? aServer.attributes['http.status_code'],
    200,
  );
  assert.equal(
    bServer.attributes['http.response.status_code'] ?? bServer.attributes['http.status_code'],
    200,
  );
  // A's client span is nested under A's server span (maybe through express middleware spans).
  const ancestors = new Set<string>();
  let cur: ReceivedSpan | undefined = aClient;
  while (cur?.parentSpanId) {
    ancestors.add(cur.parentSpanId);
    cur = receiver.spans.find((s) => s.spanId === cur?.parentSpanId);
  }
  assert.ok(ancestors.has(aServer.spanId), "A's client span descends from A's server span");

  // The log line written inside the request carries the same trace id.
  const line = await waitFor(
    () =>
      a
        .output()
        .split('\n')
        .find((l) => l.includes('"calling upstream"')),
    'log line from inside the request',
  );
  const log = JSON.parse(line) as { trace_id?: string; span_id?: string; service?: string };
  assert.equal(log.trace_id, aServer.traceId);
  assert.match(log.span_id ?? '', /^[0-9a-f]{16}$/);
  assert.equal(log.service, 'svc-a');
});

test('a Redis command inside a request is a child span (ioredis instrumentation)', async () => {
  const redis = await startRedis();
  const svc = await startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_SERVICE_NAME: 'svc-r',
      HELLO_REDIS_URL: redis.url,
    },
  });
  try {
    const res = await fetch(`${svc.url}/redis`);
    assert.deepEqual(await res.json(), { pong: 'PONG' });
    const server = await waitFor(
      () => receiver.spans.find((s) => s.service === 'svc-r' && s.kind === SERVER),
      'server span',
    );
    const ping = await waitFor(
      () =>
        receiver.spans.find(
          (s) =>
            s.service === 'svc-r' &&
            s.traceId === server.traceId &&
            (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis',
        ),
      'redis span',
    );
    assert.equal(ping.kind, CLIENT);
    assert.equal(ping.parentSpanId, server.spanId);
  } finally {
    await svc.stop();
    await redis.stop();
  }
});

test('probes and scrapes are not traced', async () => {
  await fetch(`${a.url}/readyz`);
  await fetch(`${a.url}/metrics`);
  await fetch(`${a.url}/hello`);
  await waitFor(
    () =>
      receiver.spans.some((s) => s.service === 'svc-a' && s.attributes['http.route'] === '/hello'),
    'hello span',
  );
  assert.ok(
    !receiver.spans.some((s) =>
      /readyz|metrics/.test(
        String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? s.name),
      ),
    ),
  );
});

test('no endpoint configured: nothing exported, no error output', async () => {
  const quiet = await startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    env: { OTEL_TRACES_SAMPLER_ARG: '1', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  });
  try {
    for (let i = 0; i < 5; i++) await (await fetch(`${quiet.url}/hello`)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 1500)); // longer than the exporter's batch delay
    assert.doesNotMatch(quiet.output(), /"level":"(error|warn)"|Error|ECONNREFUSED/);
  } finally {
    await quiet.stop();
  }
});
