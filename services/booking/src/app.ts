/**
 * The booking HTTP API, assembled: builds the domain pieces from the config (lock, ledger,
 * booker, idempotency, sessions, rate limit, the Redis breaker) and registers every route in
 * one place. The routes live per resource (`booking-routes.ts`, `seat-routes.ts`,
 * `session-routes.ts`); how each outcome is said in HTTP is one table (`http-outcomes.ts`):
 * validation errors name the field (400), unknown things are 404, domain conflicts
 * 409/423, the rate limit 429, and Redis being unreachable (or its breaker open) is 503
 * with `Retry-After` — never a 500 for a client's input.
 */
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { CircuitBreaker } from '@faultline/kit/breaker';
import { createHttpApp } from '@faultline/kit/http';
import type { Logger } from '@faultline/kit/logging';
import type { Metrics } from '@faultline/kit/metrics';
import type { Probes } from '@faultline/kit/probes';
import { RedisTokenBucket, rateLimitMiddleware } from '@faultline/kit/rate-limit';
import { breakerMetrics } from '@faultline/kit/resilience-metrics';
import { createBookingMetrics, type BookingMetrics } from './booking-metrics.js';
import { bookingRoutes } from './booking-routes.js';
import { Catalogue } from './catalogue.js';
import type { BookingConfig } from './config.js';
import { IdempotencyStore } from './idempotency.js';
import { keys } from './keys.js';
import { Ledger } from './ledger.js';
import { bookingApi } from './openapi.js';
import { GuardedRedis, isRedisOutage } from './redis-availability.js';
import { USER_ID } from './request-schemas.js';
import { SeatBooker } from './seat-booker.js';
import { SeatLock } from './seat-lock.js';
import { seatRoutes } from './seat-routes.js';
import { sessionRoutes } from './session-routes.js';
import { SessionStore } from './sessions.js';

export interface BookingAppDeps {
  config: BookingConfig;
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
  probes: Probes;
}

export interface BookingApp {
  app: Express;
  bookingMetrics: BookingMetrics;
  breaker: CircuitBreaker;
}

export function createBookingApp(deps: BookingAppDeps): BookingApp {
  const { config, redis, logger, metrics, probes } = deps;
  const catalogue = Catalogue.fromText(config.SHOWS);
  // The kit's registry speaks OpenMetrics; metric constructors only need a Registry.
  const registry = metrics.registry as unknown as Registry;
  const bookingMetrics = createBookingMetrics(registry);
  const breaker = new CircuitBreaker({
    name: 'redis',
    failureThreshold: config.BREAKER_FAILURES,
    openMs: config.BREAKER_OPEN_MS,
    isFailure: isRedisOutage,
    hooks: breakerMetrics(registry).hooksFor('redis'),
  });
  const guarded = new GuardedRedis(breaker);
  const lock = new SeatLock(redis, config.INSTANCE, config.LOCK_TTL_MS);
  const ledger = new Ledger(redis, config.FENCING);
  const booker = new SeatBooker({
    lock,
    ledger,
    metrics: bookingMetrics,
    logger,
    lockWaitMs: config.LOCK_WAIT_MS,
    lockRetryMs: config.LOCK_RETRY_MS,
    stallMs: config.TEST_STALL_MS,
  });
  // A claim outlives the request that holds it (lock wait, stall, a few Redis calls at most
  // their timeout each), but not by much: after a crash, retries must not wait long.
  const pendingTtlMs =
    config.LOCK_WAIT_MS + config.TEST_STALL_MS + 4 * config.REDIS_COMMAND_TIMEOUT_MS + 1000;
  const idempotency = new IdempotencyStore(redis, config.IDEMPOTENCY_TTL_MS, pendingTtlMs);
  const sessions = new SessionStore({
    kind: config.SESSION_STORE,
    ttlMs: config.SESSION_TTL_MS,
    instance: config.INSTANCE,
    redis,
  });
  const limiter = new RedisTokenBucket(redis, {
    keyPrefix: keys.rateLimitPrefix(),
    capacity: config.RATE_LIMIT_BURST,
    refillPerSecond: config.RATE_LIMIT_PER_SECOND,
  });
  bookingMetrics.bookings.inc({ result: 'rate_limited' }, 0);
  const perUserLimit = rateLimitMiddleware(
    limiter,
    (req) => {
      // With the Redis breaker open the request will be a 503 anyway: skip the limiter's call.
      if (breaker.state === 'open') return undefined;
      const userId = (req.body as { userId?: unknown } | undefined)?.userId;
      return typeof userId === 'string' && USER_ID.safeParse(userId).success ? userId : undefined;
    },
    {
      onLimited: () => bookingMetrics.bookings.inc({ result: 'rate_limited' }),
      onError: (err) =>
        logger.debug({ err: String(err) }, 'rate limiter unavailable; letting the request through'),
    },
  );

  probes.addCheck(
    'redis',
    async () => {
      await redis.ping();
    },
    config.READY_TIMEOUT_MS,
  );

  const ctx = {
    config,
    catalogue,
    guarded,
    booker,
    ledger,
    idempotency,
    sessions,
    bookingMetrics,
    perUserLimit,
  };
  const app = createHttpApp({ logger, metrics, probes, api: bookingApi }, (r) => {
    bookingRoutes(r, ctx);
    seatRoutes(r, ctx);
    sessionRoutes(r, ctx);
  });
  return { app, bookingMetrics, breaker };
}
