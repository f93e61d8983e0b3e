/**
 * Span work only where a span records. Nine requests in ten are not sampled, yet a client
 * instrumentation such as ioredis's does its work before it asks the sampler: for every
 * command it serialises the statement (EVALSHA: every argument), builds the attributes and a
 * span the SDK then drops, and wraps the command's callbacks — for nothing, since a Redis
 * command propagates no trace context. Likewise each traced step of a request. Measured on
 * booking's routes (bench/src/telemetry.bench.ts, issue 16). Sampled requests keep every span.
 */
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Replaces `target[name]`, a method an instrumentation wrapped (shimmer keeps the unwrapped
 * one as `__original`), by one that calls the instrumented method only while the active span
 * records. False, and nothing changed, when `target[name]` is not such a wrapper.
 */
export function instrumentOnlyWhenRecording(target: object, name: string): boolean {
  const methods = target as Record<string, unknown>;
  const instrumented = methods[name] as (Method & { __original?: unknown }) | undefined;
  const original = instrumented?.__original;
  if (typeof instrumented !== 'function' || typeof original !== 'function') return false;
  const plain = original as Method;
  methods[name] = function (this: unknown, ...args: unknown[]): unknown {
    return trace.getSpan(context.active())?.isRecording() === true
      ? instrumented.apply(this, args)
      : plain.apply(this, args);
  };
  return true;
}

/**
 * `tracer.startActiveSpan(name, fn)` for a step of a request, except under a span that does not
 * record (an unsampled request): then `fn` runs with that span, in the same context. For each
 * step the SDK would otherwise make an id, ask the sampler, build a span it drops and switch
 * the async context, to record nothing. With no active span, a root span as usual.
 */
export function inChildSpan<T>(tracer: Tracer, name: string, fn: (span: Span) => T): T {
  const active = trace.getActiveSpan();
  if (active !== undefined && !active.isRecording()) return fn(active);
  return tracer.startActiveSpan(name, fn);
}
