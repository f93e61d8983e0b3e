import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger, logLevelFromEnv } from './logging.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

test('lines are JSON with service, and trace ids only inside a span', async () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  try {
    const { lines, stream } = capture();
    const log = createLogger({ service: 'demo', instance: 'demo-0', destination: stream });
    log.info('outside');
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    await context.with(trace.setSpanContext(context.active(), spanContext), async () => {
      await Promise.resolve();
      log.info({ seat: 'A1' }, 'inside');
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.service, 'demo');
    assert.equal(lines[0]?.instance, 'demo-0');
    assert.equal(lines[0]?.level, 'info');
    assert.equal(lines[0]?.trace_id, undefined);
    assert.equal(lines[1]?.trace_id, spanContext.traceId);
    assert.equal(lines[1]?.span_id, spanContext.spanId);
    assert.equal(lines[1]?.seat, 'A1');
  } finally {
    context.disable();
  }
});

test('the level comes from the options, never from the environment; LOG_LEVEL is parsed once by the caller', () => {
  const saved = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'debug';
  try {
    const { stream } = capture();
    assert.equal(createLogger({ service: 'demo', destination: stream }).level, 'info');
    assert.equal(
      createLogger({ service: 'demo', destination: stream, level: 'warn' }).level,
      'warn',
    );
  } finally {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  }
  assert.equal(logLevelFromEnv({}), 'info');
  assert.equal(logLevelFromEnv({ LOG_LEVEL: '' }), 'info');
  assert.equal(logLevelFromEnv({ LOG_LEVEL: 'debug' }), 'debug');
  assert.throws(
    () => logLevelFromEnv({ LOG_LEVEL: 'loud' }),
    (e: Error) =>
      /LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/.test(
        e.message,
      ),
  );
});
