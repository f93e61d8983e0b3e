/**
 * JSON logs (pino) to stdout. Every line carries `service` and, inside a traced request,
 * the active span's `trace_id` and `span_id`, so logs and traces join up in Grafana.
 */
import { destination, pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { trace, context } from '@opentelemetry/api';
import { ConfigError } from './config.js';

export type { Logger };

/** The levels `LOG_LEVEL` may name (pino's, plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The log level from `LOG_LEVEL` in `env` (default `info`), for an entry point to read once
 * with the rest of its configuration and pass to {@link createLogger}. Throws a
 * {@link ConfigError} naming the variable and the allowed levels.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new ConfigError([
    `LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(raw)})`,
  ]);
}

export interface LoggerOptions {
  service: string;
  /** Replica identity (pod name), when there is one. */
  instance?: string;
  /** Default `info`. The logger reads no environment: entry points use {@link logLevelFromEnv}. */
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
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
