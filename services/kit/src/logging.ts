/**
 * JSON logs (pino) to stdout. Every line carries `service` and, inside a traced request,
 * the active span's `trace_id` and `span_id`, so logs and traces join up in Grafana.
 */
import { destination, pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { trace, context } from '@opentelemetry/api';

export type { Logger };

export interface LoggerOptions {
  service: string;
  /** Replica identity (pod name), when there is one. */
  instance?: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: opts.service, ...(opts.instance ? { instance: opts.instance } : {}) },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const span = trace.getSpan(context.active());
        if (!span) return {};
        const { traceId, spanId } = span.spanContext();
        return { trace_id: traceId, span_id: spanId };
      },
    },
    opts.destination ?? destination({ dest: 1, sync: false }),
  );
}
