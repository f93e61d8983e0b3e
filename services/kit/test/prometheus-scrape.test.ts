// Real Prometheus scrapes a kit-based service; RED and USE series are asserted through
// Prometheus's HTTP API with their exact names and labels, and exemplars carry trace ids.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '@faultline/kit/testing/free-port';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { startPrometheus, type PrometheusServer } from '@faultline/kit/testing/prometheus-server';
import { HELLO_ENTRY } from './helpers.js';

let svc: NodeService;
let prom: PrometheusServer;

before(async () => {
  const port = await freePort();
  svc = await startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    port,
    // Calls itself through /chain so outgoing-request metrics exist too.
    env: { HELLO_UPSTREAM: `http://127.0.0.1:${port}`, OTEL_TRACES_SAMPLER_ARG: '1' },
  });
  prom = await startPrometheus([{ job: 'hello', targets: [`127.0.0.1:${svc.port}`] }]);
  for (const path of ['/hello', '/items/1', '/items/2', '/items/3', '/chain', '/nope']) {
    await (await fetch(`${svc.url}${path}`)).arrayBuffer();
  }
});

after(async () => {
  await prom?.stop();
  await svc?.stop();
});

test('the target is up', async () => {
  const [up] = await prom.waitForQuery('up{job="hello"} == 1');
  assert.equal(up?.metric.instance, `127.0.0.1:${svc.port}`);
});

test('RED: server duration histogram by method, route template and status', async () => {
  const sel =
    'http_server_request_duration_seconds_count{job="hello",http_request_method="GET",http_route="/items/:id",http_response_status_code="200"}';
  const [s] = await prom.waitForQuery(`${sel} >= 3`);
  // The wait says "at least three"; the setup made exactly three, so exactly three were counted.
  assert.equal(Number(s!.value[1]), 3, 'three requests to /items/:id counted under the template');
  const raw = await prom.query(
    'http_server_request_duration_seconds_count{http_route=~"/items/[0-9]+"}',
  );
  assert.deepEqual(raw, [], 'raw URLs never become route labels');
  const notFound = await prom.waitForQuery(
    'http_server_request_duration_seconds_count{job="hello",http_response_status_code="404"}',
  );
  assert.equal(
    notFound[0]?.metric.http_route,
    undefined,
    'an unmatched request has no route label',
  );
  await prom.waitForQuery(
    'http_server_request_duration_seconds_bucket{job="hello",http_route="/hello",le="+Inf"}',
  );
  await prom.waitForQuery(
    'http_server_request_duration_seconds_sum{job="hello",http_route="/hello"}',
  );
});

test('RED: outgoing requests as http_client_request_duration_seconds', async () => {
  const [s] = await prom.waitForQuery(
    `http_client_request_duration_seconds_count{job="hello",http_request_method="GET",server_address="127.0.0.1",server_port="${svc.port}",http_response_status_code="200"}`,
  );
  assert.ok(Number(s?.value[1]) >= 1);
});

test('USE: CPU, memory, heap, event loop and in-flight series exist', async () => {
  for (const name of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_seconds',
    'nodejs_eventloop_lag_p99_seconds',
    'nodejs_eventloop_utilization_ratio',
    'nodejs_eventloop_lag_max_since_scrape_seconds',
    'http_server_active_requests',
  ]) {
    await prom.waitForQuery(`${name}{job="hello"}`);
  }
});

test('exemplars on the latency histogram carry trace_id', async () => {
  const found = await (async () => {
    for (let i = 0; i < 50; i++) {
      const r = await prom.queryExemplars(
        'http_server_request_duration_seconds_bucket{job="hello"}',
      );
      const ex = r.flatMap((s) => s.exemplars);
      if (ex.length > 0) return ex;
      await new Promise((res) => setTimeout(res, 200));
    }
    return [];
  })();
  assert.ok(found.length > 0, 'Prometheus stored exemplars');
  for (const e of found) assert.match(e.labels.trace_id ?? '', /^[0-9a-f]{32}$/);
});
