/**
 * Gateway configuration from `GATEWAY_*` variables, parsed once at start; every problem is
 * listed (the upstream list by JSON path).
 */
import { z } from 'zod';
import { env, parseConfig } from '@faultline/kit/config';
import { parseUpstreams } from './upstream-spec.js';
import { TCP_PICKER_NAMES } from './tcp-balancer.js';

export const configShape = {
  /** L7 proxy listener. */
  PORT: env.port(8080),
  HOST: env.string('127.0.0.1'),
  /** Admin API, probes and /metrics. */
  ADMIN_PORT: env.port(9901),
  /** Bearer token for /admin/*. */
  ADMIN_TOKEN: z.string({ message: 'required' }).min(8, { message: 'at least 8 characters' }),
  UPSTREAMS: z.string({ message: 'required (JSON, see README)' }).transform((text, ctx) => {
    const { value, problems } = parseUpstreams(text);
    for (const p of problems) ctx.addIssue({ code: 'custom', message: p });
    return value ?? [];
  }),
  /** L4 listener; balances connections to this upstream's backends. Empty = no L4. */
  TCP_UPSTREAM: z.string().optional(),
  TCP_PORT: env.port(0),
  TCP_PICKER: env.oneOf(TCP_PICKER_NAMES, 'round-robin'),
  /** Timeout of each attempt until response headers arrive. */
  PER_TRY_TIMEOUT_MS: env.int(2000, 1),
  /** Overall budget of a request (a smaller incoming deadline header wins). */
  REQUEST_TIMEOUT_MS: env.int(10_000, 1),
  /** Attempts per request that may be retried, the first included. */
  MAX_ATTEMPTS: env.int(3, 1, 10),
  /**
   * Retry any request that provably never reached a backend (refused connection, or nothing
   * of it written before the connection failed), whatever its method. Off: only idempotent
   * requests are retried.
   */
  RETRY_NEVER_SENT: env.bool(true),
  RETRY_BUDGET_RATIO: env.number(0.2, 0, 10),
  RETRY_MIN_PER_SEC: env.number(10, 0),
  HEALTH_INTERVAL_MS: env.int(1000, 0),
  HEALTH_TIMEOUT_MS: env.int(500, 1),
  HEALTH_PATH: env.string('/readyz'),
  HEALTHY_THRESHOLD: env.int(2, 1),
  UNHEALTHY_THRESHOLD: env.int(2, 1),
  OUTLIER_CONSECUTIVE_FAILURES: env.int(5, 1),
  OUTLIER_BASE_EJECTION_MS: env.int(5000, 1),
  OUTLIER_MAX_EJECTION_MS: env.int(60_000, 1),
  OUTLIER_MAX_EJECTED_PERCENT: env.int(50, 0, 100),
  BREAKER_FAILURES: env.int(10, 1),
  BREAKER_OPEN_MS: env.int(5000, 1),
  MAX_HEADER_BYTES: env.int(16_384, 1024, 1_048_576),
  MAX_BODY_BYTES: env.int(1_048_576, 0),
  MAX_SOCKETS_PER_BACKEND: env.int(512, 1),
  /** Seed for the random pickers; unset = Math.random. */
  SEED: z.coerce.number().int().optional(),
  DRAIN_MS: env.int(2000),
  SHUTDOWN_TIMEOUT_MS: env.int(10_000),
  INSTANCE: env.string('gateway'),
};

export type GatewayConfig = Readonly<z.infer<z.ZodObject<typeof configShape>>>;

/** Cross-field checks that a per-variable schema cannot express. */
export function refineConfig(c: GatewayConfig): string[] {
  const problems: string[] = [];
  if (c.TCP_UPSTREAM && !c.UPSTREAMS.some((u) => u.name === c.TCP_UPSTREAM)) {
    problems.push(`GATEWAY_TCP_UPSTREAM: no upstream named ${JSON.stringify(c.TCP_UPSTREAM)}`);
  }
  if (c.PER_TRY_TIMEOUT_MS > c.REQUEST_TIMEOUT_MS) {
    problems.push('GATEWAY_PER_TRY_TIMEOUT_MS: must not exceed GATEWAY_REQUEST_TIMEOUT_MS');
  }
  return problems;
}

/** Parses a config from `env` (tests) with the same checks as start-up. */
export function parseGatewayConfig(environment: NodeJS.ProcessEnv): GatewayConfig {
  return parseConfig('GATEWAY', configShape, environment, refineConfig);
}
