import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { createMetrics } from './metrics.js';
import { renderText, wantsOpenMetrics } from './metrics-exposition.js';

test('OpenMetrics carries exemplars; the text view does not, and both keep _total on counters', async () => {
  const m = createMetrics({ runtime: false });
  const c = new client.Counter({
    name: 'faultline_things_total',
    help: 'things',
    registers: [m.registry],
  });
  c.inc(3);
  m.httpServerDuration.observe(
    { http_request_method: 'GET', http_route: '/x', http_response_status_code: 200 },
    0.004,
    'a'.repeat(32),
  );
  const om = await m.registry.metrics();
  assert.match(om, /^faultline_things_total 3$/m);
  assert.match(
    om,
    /http_server_request_duration_seconds_bucket\{le="0.005",.*\} 1 # \{trace_id="a{32}"\} 0.004/,
  );
  assert.match(om, /# EOF\n$/);
  const text = await renderText(m.registry);
  assert.match(text, /^faultline_things_total 3$/m);
  assert.match(text, /^# TYPE faultline_things_total counter$/m);
  assert.doesNotMatch(text, /trace_id|# EOF/);
  // Rendering OpenMetrics again after text must not change names.
  assert.match(await m.registry.metrics(), /^faultline_things_total 3$/m);
});

test('content negotiation follows the Accept header', () => {
  assert.equal(
    wantsOpenMetrics('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'),
    true,
  );
  assert.equal(wantsOpenMetrics('text/plain'), false);
  assert.equal(wantsOpenMetrics(undefined), false);
});

test("registries are per app: a metric of one app is not in the other's output", async () => {
  const a = createMetrics({ runtime: false });
  const b = createMetrics({ runtime: false });
  new client.Counter({
    name: 'faultline_only_in_a_total',
    help: 'a',
    registers: [a.registry],
  }).inc();
  a.httpServerDuration.observe(
    { http_request_method: 'GET', http_route: '/only-a', http_response_status_code: 200 },
    0.01,
  );
  const textA = await renderText(a.registry);
  const textB = await renderText(b.registry);
  assert.match(textA, /^faultline_only_in_a_total 1$/m);
  assert.match(textA, /http_route="\/only-a"/);
  assert.doesNotMatch(textB, /faultline_only_in_a_total/);
  assert.doesNotMatch(textB, /\/only-a/);
  // and neither leaks into prom-client's global default registry
  assert.doesNotMatch(await client.register.metrics(), /faultline_only_in_a_total|\/only-a/);
});
