// The ioredis instrumentation runs only under a recording span (spans-when-recording.ts): a
// sampled request still gets its Redis span, an unsampled one skips the instrumentation (its
// request hook is never called), and a command outside any span is not traced; a traced step of
// a request (inChildSpan) is a child span only where its parent records.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import type { Redis as RedisClient } from 'ioredis';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { inChildSpan, instrumentOnlyWhenRecording } from '@faultline/kit/spans-when-recording';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  sampler: new AlwaysOnSampler(),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
let hooked = 0;
let gated = false;
let redis: RedisServer;
let client: RedisClient;

before(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new IORedisInstrumentation({ requireParentSpan: true, requestHook: () => void hooked++ }),
    ],
  });
  // Required after the instrumentation is registered, as the preload does.
  const Redis = createRequire(import.meta.url)('ioredis') as typeof RedisClient;
  gated = instrumentOnlyWhenRecording(Redis.prototype, 'sendCommand');
  redis = await startRedis();
  client = new Redis(redis.url);
  await client.ping(); // connected before any span is watched
});

after(async () => {
  client?.disconnect();
  await redis?.stop();
  await provider.shutdown();
});

const unsampled = trace.setSpan(
  ROOT_CONTEXT,
  trace.wrapSpanContext({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.NONE,
  }),
);

test('the ioredis instrumentation has the wrapped method the gate expects', () => {
  assert.equal(gated, true);
});

test('a command under a recording span is traced as its child', async () => {
  exporter.reset();
  hooked = 0;
  const parent = provider.getTracer('test').startSpan('request');
  await context.with(trace.setSpan(ROOT_CONTEXT, parent), () => client.set('k', 'v'));
  parent.end();
  assert.equal(hooked, 1);
  const spans = exporter.getFinishedSpans();
  const set = spans.find((s) => s.name === 'set');
  assert.ok(set, `a span for SET (got ${spans.map((s) => s.name).join(', ')})`);
  assert.equal(set.parentSpanContext?.spanId, parent.spanContext().spanId);
});

test('a command under an unsampled span skips the instrumentation', async () => {
  exporter.reset();
  hooked = 0;
  const value = await context.with(unsampled, () => client.get('k'));
  assert.equal(value, 'v', 'the command itself still runs');
  assert.equal(hooked, 0, 'the instrumentation was not called');
  assert.deepEqual(exporter.getFinishedSpans(), []);
});

test('a command outside any span is not traced', async () => {
  exporter.reset();
  hooked = 0;
  assert.equal(await client.get('k'), 'v');
  assert.equal(hooked, 0);
  assert.deepEqual(exporter.getFinishedSpans(), []);
});

test('a method no instrumentation wrapped is left alone', () => {
  const target = { sendCommand: () => 'plain' };
  const before = target.sendCommand;
  assert.equal(instrumentOnlyWhenRecording(target, 'sendCommand'), false);
  assert.equal(target.sendCommand, before);
});

test('a step under an unsampled span runs in that span, without a new one', () => {
  const tracer = provider.getTracer('test');
  const seen = context.with(unsampled, () =>
    inChildSpan(tracer, 'step', (span) => [span, trace.getActiveSpan()]),
  );
  const parent = trace.getSpan(unsampled)!;
  assert.equal(seen[0]?.spanContext().spanId, parent.spanContext().spanId);
  assert.equal(seen[1], parent, 'the context is not switched');
});

test('a step under a recording span, or outside any, is a span of its own', () => {
  exporter.reset();
  const tracer = provider.getTracer('test');
  const parent = tracer.startSpan('request');
  context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
    inChildSpan(tracer, 'step', (span) => span.end()),
  );
  inChildSpan(tracer, 'background', (span) => span.end());
  parent.end();
  const spans = exporter.getFinishedSpans();
  const step = spans.find((s) => s.name === 'step');
  assert.equal(step?.parentSpanContext?.spanId, parent.spanContext().spanId);
  const background = spans.find((s) => s.name === 'background');
  assert.ok(background, 'a root span outside any request');
  assert.equal(background.parentSpanContext, undefined);
});
