// The gateway's spans in a real OTLP receiver: a proxied request continues the caller's trace
// (W3C traceparent in), the gateway's `proxy <upstream>` span names the backend and attempt,
// and the backend receives a traceparent of the same trace whose parent is a gateway span.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startOtlpReceiver, type OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import {
  send,
  startBackends,
  startGateway,
  staticUpstream,
  stopAll,
  type TestBackend,
  type TestGateway,
} from './helpers.js';

let receiver: OtlpReceiver;
let backends: TestBackend[] = [];
let gw: TestGateway;
before(async () => {
  receiver = await startOtlpReceiver();
  backends = await startBackends('traced');
  gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_TRACES_SAMPLER_ARG: '1',
    OTEL_SERVICE_NAME: 'gateway',
  });
});
after(async () => {
  await stopAll([gw, ...backends]);
  await receiver?.stop();
});

test('a proxied request continues the caller trace; the proxy span names the backend; the backend gets the context', async () => {
  const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const callerSpan = '1122334455667788';
  const r = await send(`${gw.url}/whoami`, {
    headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
  });
  assert.equal(r.status, 200);
  const proxy = await waitFor(
    () => receiver.spans.find((s) => s.traceId === traceId && s.name === 'proxy booking'),
    'the gateway proxy span exported',
    15_000,
    50,
  );
  assert.equal(proxy.service, 'gateway');
  assert.equal(proxy.parentSpanId, callerSpan, "a child of the caller's span");
  assert.equal(proxy.attributes['faultline.gateway.upstream'], 'booking');
  assert.equal(proxy.attributes['faultline.gateway.backend'], backends[0]!.address);
  assert.equal(proxy.attributes['faultline.gateway.attempt'], 0, 'the first attempt (0-based)');
  assert.notEqual(proxy.status.code, 2, 'not an error');
  assert.equal(proxy.attributes['http.response.status_code'], 200);

  // What the backend received: the same trace, parented by a span the gateway exported.
  const got = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(
    String((r.json as { traceparent: string | null }).traceparent),
  );
  assert.ok(got, `traceparent at the backend: ${JSON.stringify(r.json)}`);
  assert.equal(got[1], traceId);
  const parent = await waitFor(
    () => receiver.spans.find((s) => s.spanId === got[2]),
    'the span the backend was told is its parent',
    15_000,
    50,
  );
  assert.equal(parent.service, 'gateway');
  assert.ok(
    parent.spanId === proxy.spanId || parent.parentSpanId === proxy.spanId,
    `the backend's parent is the proxy span or its client span: ${JSON.stringify(parent)}`,
  );
});

test('a request the gateway fails (the backend resets) is an error span naming the failure', async () => {
  const traceId = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
  // POST /reset: the backend destroys the connection; without an Idempotency-Key no retry.
  const r = await send(`${gw.url}/reset`, {
    method: 'POST',
    headers: { traceparent: `00-${traceId}-1122334455667788-01` },
  });
  assert.equal(r.status, 502);
  const proxy = await waitFor(
    () => receiver.spans.find((s) => s.traceId === traceId && s.name === 'proxy booking'),
    'the failed request span exported',
    15_000,
    50,
  );
  assert.equal(proxy.attributes['http.response.status_code'], 502);
  assert.deepEqual(proxy.status, { code: 2, message: 'upstream_reset' });
});

/** The trace headers a proxied GET /whoami reached the backend with. */
interface TraceAtBackend {
  traceId: string;
  spanId: string;
  flags: string;
  tracestate: string | null;
  baggage: string | null;
}

async function backendTrace(
  url: string,
  headers: Record<string, string> = {},
): Promise<TraceAtBackend> {
  const r = await send(`${url}/whoami`, { headers });
  assert.equal(r.status, 200);
  const seen = r.json as Record<'traceparent' | 'tracestate' | 'baggage', string | null>;
  const got = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/.exec(String(seen.traceparent));
  assert.ok(got, `traceparent at the backend: ${JSON.stringify(r.json)}`);
  return {
    traceId: got[1]!,
    spanId: got[2]!,
    flags: got[3]!,
    tracestate: seen.tracestate,
    baggage: seen.baggage,
  };
}

test('an incoming unsampled parent is followed even at ratio 1: the backend gets its trace, flags 00, and the gateway exports no span of it', async () => {
  const traceId = '0badc0ffee0ddf00d0000000000000aa';
  const callerSpan = '99aabbccddeeff00';
  const got = await backendTrace(gw.url, { traceparent: `00-${traceId}-${callerSpan}-00` });
  assert.equal(got.traceId, traceId, "the caller's trace id is kept");
  assert.equal(got.flags, '00', 'not sampled downstream either');
  assert.notEqual(got.spanId, callerSpan, 'a span id of the gateway, not the caller’s');
  // A sampled request after it: once its span is exported, the unsampled one would be too.
  const sampledTrace = '0badc0ffee0ddf00d0000000000000bb';
  await backendTrace(gw.url, { traceparent: `00-${sampledTrace}-${callerSpan}-01` });
  await waitFor(
    () => receiver.spans.some((s) => s.traceId === sampledTrace),
    'the sampled request exported',
    15_000,
    50,
  );
  assert.deepEqual(
    receiver.spans.filter((s) => s.traceId === traceId),
    [],
    'no span of the unsampled trace',
  );
});

// Both ways the gateway runs: as the local plan and the chart start it (no outgoing
// instrumentation: an unsampled root gets only a traceparent, no context), and with the undici
// instrumentation loaded (every exchange in a context, the client span's traceparent).
for (const [config, disabled] of [
  ['as deployed (outgoing instrumentations off)', 'http,undici'],
  ['with the undici instrumentation', ''],
] as const) {
  test(`${config}: root requests are sampled once at the ratio (not ratio²), unsampled ones still propagate a fresh trace with flags 00, baggage passes and a stray tracestate does not`, async () => {
    const own = await startOtlpReceiver();
    const sampledGw = await startGateway({
      GATEWAY_UPSTREAMS: staticUpstream(backends),
      GATEWAY_HEALTH_INTERVAL_MS: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: own.endpoint,
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_SERVICE_NAME: 'gateway-0.1',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: disabled,
    });
    const sent: TraceAtBackend[] = [];
    // No traceparent: a tracestate without one belongs to no trace (W3C), baggage stands alone.
    const client = { tracestate: 'vendor=stray', baggage: 'tenant=acme' };
    try {
      for (let i = 0; i < 600; i++) sent.push(await backendTrace(sampledGw.url, client));
    } finally {
      await sampledGw.stop(); // SIGTERM flushes what is buffered
    }
    try {
      const sampled = sent.filter((t) => t.flags === '01');
      // Binomial(600, 0.1): mean 60, σ ≈ 7.3; ±5σ. Rolling the dice twice would give ~6.
      assert.ok(
        sampled.length >= 23 && sampled.length <= 97,
        `~60 of 600 sampled, got ${sampled.length}`,
      );
      assert.equal(new Set(sent.map((t) => t.traceId)).size, sent.length, 'a trace id each');
      assert.deepEqual(
        [...new Set(sent.map((t) => `${t.baggage} / ${t.tracestate}`))],
        ['tenant=acme / null'],
        "the client's baggage reaches the backend, its stray tracestate does not",
      );
      const exported = new Set(
        own.spans.filter((s) => s.name === 'proxy booking').map((s) => s.traceId),
      );
      assert.deepEqual(
        [...exported].sort(),
        sampled.map((t) => t.traceId).sort(),
        'exactly the requests propagated as sampled have a proxy span',
      );
    } finally {
      await own.stop();
    }
  });
}
