/**
 * The booking service's configuration: `BOOKING_*` variables, parsed once at start with every
 * error listed. Deep modules receive the values they need, never this object's source.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { env, parseConfig } from '@faultline/kit/config';
import { parseShows } from './catalogue.js';

/** Variable names (without the `BOOKING_` prefix) and their schemas, with defaults and units. */
export const configShape = {
  /** HTTP port; 0 picks a free one. */
  PORT: env.port(8080),
  HOST: env.string('127.0.0.1'),
  /** Replica name reported by `GET /sessions/me` and in logs; default `<hostname>-<pid>`. */
  INSTANCE: env.string(`${hostname()}-${process.pid}`),
  REDIS_URL: z.url({ message: 'expected a redis:// URL' }).default('redis://127.0.0.1:6379'),
  /** Longest wait for a TCP connection to Redis, ms. */
  REDIS_CONNECT_TIMEOUT_MS: env.int(1000, 50, 60_000),
  /** Longest wait for one Redis command, ms; a slow Redis then fails fast (503) instead of hanging. */
  REDIS_COMMAND_TIMEOUT_MS: env.int(1000, 10, 60_000),
  /** `off` keeps the lock but skips the fencing-token check: the negative control. */
  FENCING: env.bool(true),
  /** Lock lease, ms. */
  LOCK_TTL_MS: env.int(2000, 50, 600_000),
  /** Longest wait for a busy seat lock before answering 423, ms. */
  LOCK_WAIT_MS: env.int(250, 0, 60_000),
  /** Upper bound of the jittered pause between lock attempts, ms. */
  LOCK_RETRY_MS: env.int(20, 1, 5000),
  /**
   * Test-only: stall this long between taking the lock and writing the ledger, with lease
   * renewal frozen, like a stop-the-world pause. 0 = off.
   */
  TEST_STALL_MS: env.int(0, 0, 600_000),
  /** How long an `Idempotency-Key` is remembered, ms. */
  IDEMPOTENCY_TTL_MS: env.int(24 * 3600 * 1000, 100, 30 * 24 * 3600 * 1000),
  /** `memory`: sessions live in this replica only; `redis`: they survive replica loss. */
  SESSION_STORE: env.oneOf(['memory', 'redis'] as const, 'memory'),
  SESSION_TTL_MS: env.int(3600 * 1000, 1000, 30 * 24 * 3600 * 1000),
  /** Per-user token bucket for `POST /bookings`: burst and refill per second. */
  RATE_LIMIT_BURST: env.int(20, 1, 1_000_000),
  RATE_LIMIT_PER_SECOND: env.number(10, 0.001, 1_000_000),
  /** Consecutive Redis failures that open the breaker, and how long it stays open, ms. */
  BREAKER_FAILURES: env.int(5, 1, 1000),
  BREAKER_OPEN_MS: env.int(2000, 10, 600_000),
  /** Shows and their seat counts: `id:count,...`; seat ids are `<show>-<n>`, n from 1. */
  SHOWS: env.string('gala:100,matinee:100'),
  /** Readiness check timeout (Redis PING), ms. */
  READY_TIMEOUT_MS: env.int(500, 10, 60_000),
  DRAIN_MS: env.int(2000, 0, 600_000),
  SHUTDOWN_TIMEOUT_MS: env.int(10_000, 100, 600_000),
};

export type BookingConfig = Readonly<z.infer<z.ZodObject<typeof configShape>>>;

/** Cross-field checks: the shows list must parse. */
export function refineConfig(c: BookingConfig): string[] {
  const parsed = parseShows(c.SHOWS);
  return parsed.ok ? [] : parsed.problems.map((p) => `BOOKING_SHOWS: ${p}`);
}

/** Parses a config from `env` (tests); `main` uses `loadConfig`, which exits on errors. */
export function parseBookingConfig(
  vars: Record<string, string | undefined> = process.env,
): BookingConfig {
  return parseConfig('BOOKING', configShape, vars, refineConfig);
}
