/**
 * The booking HTTP API: every route in one place. Validation errors name the field (400),
 * unknown things are 404, domain conflicts 409/422/423, the rate limit 429, and Redis being
 * unreachable (or its breaker open) is 503 with `Retry-After` — never a 500 for a client's input.
 */
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { CircuitBreaker } from '@faultline/kit/breaker';
import { requestDeadline } from '@faultline/kit/deadline';
import { sendError } from '@faultline/kit/http-errors';
import { createHttpApp } from '@faultline/kit/http';
import type { Logger } from '@faultline/kit/logging';
import type { Metrics } from '@faultline/kit/metrics';
import type { Probes } from '@faultline/kit/probes';
import { RedisTokenBucket, rateLimitMiddleware } from '@faultline/kit/rate-limit';
import { breakerMetrics } from '@faultline/kit/resilience-metrics';
import { createBookingMetrics, type BookingMetrics } from './booking-metrics.js';
import { Catalogue, SHOW_ID } from './catalogue.js';
import type { BookingConfig } from './config.js';
import { IDEMPOTENCY_KEY_PATTERN, IdempotencyStore, fingerprint } from './idempotency.js';
import { keys } from './keys.js';
import { Ledger } from './ledger.js';
import { openApiDocument } from './openapi.js';
import { GuardedRedis, isRedisOutage, isRedisUnavailableError } from './redis-availability.js';
import { SeatBooker, type StepTimings } from './seat-booker.js';
import { SeatLock } from './seat-lock.js';
import { SESSION_COOKIE, SessionStore, readCookie } from './sessions.js';

/** A user id: short, and safe inside Redis key names and logs. */
const USER_ID = z
  .string({ message: 'expected a string' })
  .regex(/^[A-Za-z0-9._@:-]{1,128}$/, { message: 'expected 1-128 of A-Z a-z 0-9 . _ @ : -' });
const SEAT_ID = z
  .string({ message: 'expected a string' })
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'expected at most 64 characters' });

const bookingBody = z.strictObject(
  { seatId: SEAT_ID, userId: USER_ID },
  { message: 'expected a JSON object {seatId, userId}' },
);
const sessionBody = z.strictObject(
  { userId: USER_ID },
  { message: 'expected a JSON object {userId}' },
);
/** Parsed as an object so a bad id is reported under `bookingId`. */
const bookingParams = z.object({
  bookingId: z.uuid({ message: 'expected a booking id (UUID)' }),
});
const seatPage = z.object({
  offset: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(0, { message: 'expected an integer >= 0' })
    .max(1_000_000, { message: 'expected an integer <= 1000000' })
    .default(0),
  limit: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected an integer >= 1' })
    .max(100, { message: 'expected an integer <= 100' })
    .default(50),
});

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

  const app = createHttpApp({ logger, metrics, probes }, (r) => {
    r.get('/openapi.json', (_req, res) => {
      res.json(openApiDocument);
    });

    r.post(
      '/bookings',
      perUserLimit,
      handle(async (req, res) => {
        const body = bookingBody.parse(req.body);
        if (!catalogue.showOf(body.seatId)) return unknownSeat(res, body.seatId);
        const idemKey = readIdempotencyKey(req, res);
        if (idemKey === null) return;
        const fp = idemKey === undefined ? '' : fingerprint('POST', '/bookings', body);
        if (idemKey !== undefined) {
          const claim = await guarded.run(() => idempotency.claim(idemKey, fp));
          if (claim.kind !== 'claimed') {
            bookingMetrics.idempotency.inc({
              result: { replay: 'replayed', conflict: 'conflict', 'in-progress': 'in_progress' }[
                claim.kind
              ],
            });
            if (claim.kind === 'replay') {
              res.setHeader('Idempotent-Replayed', 'true');
              res.status(claim.status).json(claim.body);
              return;
            }
            if (claim.kind === 'conflict') {
              return sendError(res, 422, 'idempotency_key_reused', [
                {
                  path: 'headers.idempotency-key',
                  message: 'this key was used with a different request body',
                },
              ]);
            }
            res.setHeader('Retry-After', '1');
            return sendError(res, 409, 'idempotency_in_progress', [
              {
                path: 'headers.idempotency-key',
                message: 'a request with this key is still running',
              },
            ]);
          }
          bookingMetrics.idempotency.inc({ result: 'new' });
        }
        const remember = async (status: number, payload: object) => {
          if (idemKey !== undefined)
            await guarded.run(() => idempotency.complete(idemKey, fp, status, payload));
        };
        let result;
        try {
          result = await guarded.run(() =>
            booker.book({
              seatId: body.seatId,
              userId: body.userId,
              ...(idemKey !== undefined
                ? {
                    idempotency: {
                      key: idemKey,
                      fingerprint: fp,
                      ttlMs: config.IDEMPOTENCY_TTL_MS,
                    },
                  }
                : {}),
              maxWaitMs: requestDeadline(res).remainingMs(),
              signal: requestDeadline(res).signal(),
            }),
          );
        } catch (e) {
          if (idemKey !== undefined) await idempotency.abandon(idemKey, fp).catch(() => undefined);
          throw e;
        }
        setServerTiming(res, result.timings);
        switch (result.kind) {
          case 'booked':
            res.setHeader('Location', `/bookings/${result.receipt.bookingId}`);
            res.status(201).json(result.receipt);
            return;
          case 'seat-taken': {
            const payload = {
              error: 'seat_taken',
              details: [{ path: 'seatId', message: `seat ${body.seatId} is already booked` }],
              holderBookingId: result.holderBookingId,
            };
            await remember(409, payload);
            res.status(409).json(payload);
            return;
          }
          case 'fenced': {
            const payload = {
              error: 'fenced',
              details: [
                {
                  path: 'seatId',
                  message: `the lock on ${body.seatId} was lost before the write (fencing token ${result.token} <= last accepted ${result.lastToken}); nothing was booked`,
                },
              ],
              holderBookingId: result.holderBookingId ?? null,
              fencingToken: result.token,
              lastAcceptedToken: result.lastToken,
            };
            await remember(409, payload);
            res.status(409).json(payload);
            return;
          }
          case 'lock-busy':
            if (idemKey !== undefined) await guarded.run(() => idempotency.abandon(idemKey, fp));
            res.setHeader('Retry-After', '1');
            return sendError(res, 423, 'seat_locked', [
              {
                path: 'seatId',
                message: `seat ${body.seatId} is being booked by another request; try again`,
              },
            ]);
        }
      }),
    );

    r.get(
      '/bookings/:bookingId',
      handle(async (req, res) => {
        const { bookingId } = bookingParams.parse(req.params);
        const booking = await guarded.run(() => ledger.booking(bookingId));
        if (!booking) return unknownBooking(res, bookingId);
        res.json(booking);
      }),
    );

    r.delete(
      '/bookings/:bookingId',
      handle(async (req, res) => {
        const { bookingId } = bookingParams.parse(req.params);
        const result = await guarded.run(() =>
          booker.cancel(bookingId, requestDeadline(res).signal()),
        );
        switch (result.kind) {
          case 'cancelled':
            res.json({
              bookingId: result.bookingId,
              seatId: result.seatId,
              fencingToken: result.fencingToken,
              status: 'cancelled',
            });
            return;
          case 'unknown-booking':
            return unknownBooking(res, bookingId);
          case 'already-cancelled':
            return sendError(res, 409, 'already_cancelled', [
              { path: 'bookingId', message: `booking ${bookingId} is already cancelled` },
            ]);
          case 'not-holder':
            return sendError(res, 409, 'not_holder', [
              { path: 'bookingId', message: `booking ${bookingId} does not hold ${result.seatId}` },
            ]);
          case 'fenced':
            return sendError(res, 409, 'fenced', [
              {
                path: 'bookingId',
                message: `the lock on ${result.seatId} was lost before the write (fencing token ${result.token} <= ${result.lastToken}); nothing was cancelled`,
              },
            ]);
          case 'lock-busy':
            res.setHeader('Retry-After', '1');
            return sendError(res, 423, 'seat_locked', [
              {
                path: 'bookingId',
                message: `seat ${result.seatId} is locked by another request; try again`,
              },
            ]);
        }
      }),
    );

    r.get(
      '/seats/:seatId',
      handle(async (req, res) => {
        const seatId = String(req.params.seatId);
        const show = catalogue.showOf(seatId);
        if (!show) return unknownSeat(res, seatId);
        res.json({ ...(await guarded.run(() => ledger.seat(seatId))), showId: show.id });
      }),
    );

    r.get('/shows', (_req, res) => {
      res.json({ shows: [...catalogue.shows.values()] });
    });

    r.get(
      '/shows/:showId/seats',
      handle(async (req, res) => {
        const showId = String(req.params.showId);
        const show = SHOW_ID.test(showId) ? catalogue.shows.get(showId) : undefined;
        if (!show) {
          return sendError(res, 404, 'unknown_show', [
            { path: 'showId', message: `no show ${JSON.stringify(showId.slice(0, 64))}` },
          ]);
        }
        const q = seatPage.safeParse(req.query);
        if (!q.success) {
          return sendError(
            res,
            400,
            'invalid_request',
            q.error.issues.map((i) => ({ path: `query.${i.path.join('.')}`, message: i.message })),
          );
        }
        const { offset, limit } = q.data;
        const ids = catalogue.seatIds(show, offset + 1, limit);
        const seats = ids.length === 0 ? [] : await guarded.run(() => ledger.seats(ids));
        const next = offset + ids.length;
        res.json({
          showId: show.id,
          total: show.seats,
          offset,
          limit,
          nextOffset: next < show.seats ? next : null,
          seats,
        });
      }),
    );

    r.post(
      '/sessions',
      handle(async (req, res) => {
        const body = sessionBody.parse(req.body);
        const session = await guarded.run(() => sessions.create(body.userId));
        res.cookie(SESSION_COOKIE, session.id, {
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
          maxAge: config.SESSION_TTL_MS,
        });
        res.status(201).json({
          sessionId: session.id,
          userId: session.userId,
          instance: config.INSTANCE,
          store: sessions.kind,
        });
      }),
    );

    r.get(
      '/sessions/me',
      handle(async (req, res) => {
        const id = readCookie(req.headers.cookie, SESSION_COOKIE);
        if (!id) {
          return sendError(res, 401, 'no_session', [
            {
              path: `cookie.${SESSION_COOKIE}`,
              message: 'no session cookie; POST /sessions first',
            },
          ]);
        }
        const found = id.length <= 64 ? await guarded.run(() => sessions.lookup(id)) : undefined;
        bookingMetrics.sessionLookups.inc({ result: found?.cache ?? 'unknown' });
        if (!found) {
          res.status(401).json({
            error: 'unknown_session',
            details: [
              {
                path: `cookie.${SESSION_COOKIE}`,
                message: `replica ${config.INSTANCE} does not know this session (store: ${sessions.kind})`,
              },
            ],
            instance: config.INSTANCE,
          });
          return;
        }
        res.json({
          sessionId: found.session.id,
          userId: found.session.userId,
          instance: config.INSTANCE,
          cache: found.cache,
          store: sessions.kind,
          createdBy: found.session.createdBy,
        });
      }),
    );
  });
  return { app, bookingMetrics, breaker };
}

/** Wraps an async route: Redis outages become 503 + Retry-After; the rest goes to next(). */
function handle(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch((e: unknown) => {
      if (isRedisUnavailableError(e) && !res.headersSent) {
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))));
        return sendError(res, 503, 'redis_unavailable', [{ path: 'redis', message: e.message }]);
      }
      next(e);
    });
  };
}

/** The request's Idempotency-Key: undefined when absent, null when invalid (400 sent). */
function readIdempotencyKey(req: Request, res: Response): string | undefined | null {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && IDEMPOTENCY_KEY_PATTERN.test(raw)) return raw;
  sendError(res, 400, 'invalid_request', [
    {
      path: 'headers.idempotency-key',
      message: 'expected one header of 1-200 visible ASCII characters',
    },
  ]);
  return null;
}

function unknownSeat(res: Response, seatId: string): void {
  sendError(res, 404, 'unknown_seat', [
    {
      path: 'seatId',
      message: `no seat ${JSON.stringify(seatId.slice(0, 64))} (seat ids are <show>-<n>)`,
    },
  ]);
}

function unknownBooking(res: Response, bookingId: string): void {
  sendError(res, 404, 'unknown_booking', [
    { path: 'bookingId', message: `no booking ${bookingId}` },
  ]);
}

/** `Server-Timing` lets clients (and the benchmark) see lock wait and ledger time per request. */
function setServerTiming(res: Response, t: StepTimings): void {
  res.setHeader(
    'Server-Timing',
    `lock;dur=${t.lockMs.toFixed(3)}, ledger;dur=${t.ledgerMs.toFixed(3)}`,
  );
}
