// Head sampling of incoming requests (server-sampling.ts): the kit decides before any span
// exists, once, by the parent-based rule; unsampled requests still propagate their trace
// context (flags 00), so downstream services follow the decision instead of rolling again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { startOtlpReceiver, type OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import { HELLO_ENTRY } from './helpers.js';

const SERVER = 2;

function hello(
  receiver: OtlpReceiver,
  name: string,
  ratio: string,
  env: Record<string, string> = {},
): Promise<NodeService> {
  return startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER_ARG: ratio,
      OTEL_SERVICE_NAME: name,
      HELLO_NAME: name,
      HELLO_DRAIN_MS: '0',
      ...env,
    },
  });
}

/** `n` GETs of `url`, `concurrency` at a time; every answer must be 200. */
async function load(url: string, n: number, concurrency = 10): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) {
        const res = await fetch(url);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
    }),
  );
}

const serverSpans = (r: OtlpReceiver, service: string) =>
  r.spans.filter((s) => s.service === service && s.kind === SERVER);

test('root requests are sampled at the ratio, and only once (not ratio²)', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const svc = await hello(receiver, 'ratio', '0.1');
    try {
      await load(`${svc.url}/hello`, 1000);
    } finally {
      await svc.stop(); // SIGTERM flushes what is buffered
    }
    // Binomial(1000, 0.1): mean 100, σ ≈ 9.5; ±5σ. Sampling twice would give ~10.
    const n = serverSpans(receiver, 'ratio').length;
    assert.ok(n >= 52 && n <= 148, `expected ~100 sampled server spans of 1000, got ${n}`);
  } finally {
    await receiver.stop();
  }
});

test('downstream follows the edge decision: unsampled requests propagate flags 00', async () => {
  const receiver = await startOtlpReceiver();
  try {
    // B would sample everything it starts itself; A samples half of what it starts. If A's
    // unsampled requests carried no context, A's client span would roll again (root, 50 %)
    // and B would record traces whose A server span was dropped.
    const b = await hello(receiver, 'down', '1');
    const a = await hello(receiver, 'edge', '0.5', { HELLO_UPSTREAM: b.url });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    try {
      await load(`${a.url}/chain`, 40, 4);
      // A caller's sampled parent is followed whatever A's own ratio.
      const res = await fetch(`${a.url}/chain`, {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await a.stop();
      await b.stop();
    }
    const edge = new Set(serverSpans(receiver, 'edge').map((s) => s.traceId));
    const down = new Set(serverSpans(receiver, 'down').map((s) => s.traceId));
    assert.ok(edge.size > 1 && edge.size < 41, `A sampled ${edge.size} of 41`);
    assert.deepEqual([...down].sort(), [...edge].sort(), 'B records exactly the traces A sampled');
    const followed = serverSpans(receiver, 'edge').find((s) => s.traceId === traceId);
    assert.equal(followed?.parentSpanId, '00f067aa0ba902b7');
  } finally {
    await receiver.stop();
  }
});

test('an incoming unsampled parent is followed even at ratio 1; its trace id is kept', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const b = await hello(receiver, 'follower', '1');
    const a = await hello(receiver, 'middle', '1', { HELLO_UPSTREAM: b.url });
    try {
      const res = await fetch(`${a.url}/chain`, {
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      // And a request with no parent at ratio 1: sampled, a root with a fresh trace id.
      await load(`${a.url}/hello`, 1, 1);
    } finally {
      await a.stop();
      await b.stop();
    }
    const middle = serverSpans(receiver, 'middle');
    assert.equal(middle.length, 1, 'only the parentless request is recorded');
    assert.equal(middle[0]!.parentSpanId, undefined);
    assert.match(middle[0]!.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(middle[0]!.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(serverSpans(receiver, 'follower').length, 0);
  } finally {
    await receiver.stop();
  }
});

test("an unsampled caller's trace context is the request's own; it passes on", async () => {
  // A service that records nothing of a trace adds no span of its own to it: the handler runs
  // in the caller's context (its log lines name the caller's span), which saves a span and a
  // context per request. Its outgoing fetch still gets a client span id from the undici
  // instrumentation; the trace id, flags 00, tracestate and baggage pass on. The upstream here
  // is a bare server that keeps what it was sent.
  const seen: { traceparent?: string; tracestate?: string; baggage?: string }[] = [];
  const upstream = createServer((req, res) => {
    const { traceparent, tracestate, baggage } = req.headers as Record<string, string>;
    seen.push({ traceparent, tracestate, baggage });
    res.setHeader('content-type', 'application/json').end('{"hello":"upstream"}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  const receiver = await startOtlpReceiver();
  try {
    const a = await hello(receiver, 'passer', '1', { HELLO_UPSTREAM: `http://127.0.0.1:${port}` });
    const [traceId, spanId] = ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'];
    const sent = {
      traceparent: `00-${traceId}-${spanId}-00`,
      tracestate: 'vendor=opaque',
      baggage: 'tenant=acme',
    };
    let output: string;
    try {
      const res = await fetch(`${a.url}/chain`, { headers: sent });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await a.stop();
      output = a.output();
    }
    const line = output.split('\n').find((l) => l.includes('calling upstream'));
    assert.ok(line, `no log line for the request in:\n${output}`);
    const logged = JSON.parse(line) as { trace_id?: string; span_id?: string };
    assert.deepEqual([logged.trace_id, logged.span_id], [traceId, spanId], "the caller's span");
    assert.equal(seen.length, 1);
    assert.match(seen[0]!.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    assert.deepEqual([seen[0]!.tracestate, seen[0]!.baggage], [sent.tracestate, sent.baggage]);
    assert.equal(serverSpans(receiver, 'passer').length, 0, 'nothing recorded for it');
  } finally {
    await receiver.stop();
    await new Promise((resolve) => upstream.close(resolve));
  }
});
