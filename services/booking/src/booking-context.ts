/** What the booking routes work with, built once per app by `createBookingApp`. */
import type { RequestHandler } from 'express';
import type { BookingMetrics } from './booking-metrics.js';
import type { Catalogue } from './catalogue.js';
import type { BookingConfig } from './config.js';
import type { IdempotencyStore } from './idempotency.js';
import type { Ledger } from './ledger.js';
import type { GuardedRedis } from './redis-availability.js';
import type { SeatBooker } from './seat-booker.js';
import type { SessionStore } from './sessions.js';

export interface BookingContext {
  config: BookingConfig;
  catalogue: Catalogue;
  /** Every Redis call goes through it: the breaker turns an outage into a fast 503. */
  guarded: GuardedRedis;
  booker: SeatBooker;
  ledger: Ledger;
  idempotency: IdempotencyStore;
  sessions: SessionStore;
  bookingMetrics: BookingMetrics;
  /** The per-user rate limit, in front of POST /bookings. */
  perUserLimit: RequestHandler;
}
