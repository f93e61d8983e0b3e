/**
 * Booking and cancelling a seat, the safe way: take the seat's lock (its grant carries a
 * fencing token), keep the lease alive while working, read the seat under the lock, then make
 * one fenced ledger write, then release. Each step is a span carrying the fencing token (in a
 * sampled request), and each outcome a metric. Knows nothing about HTTP.
 */
import { randomUUID } from 'node:crypto';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Logger } from '@faultline/kit/logging';
import { inChildSpan } from '@faultline/kit/spans-when-recording';
import type { BookingMetrics } from './booking-metrics.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { IdempotencyRecordWrite, Ledger, LedgerOutcome } from './ledger.js';
import type { FencingToken, LockGrant, SeatLock } from './seat-lock.js';

const tracer = trace.getTracer('@faultline/booking');

export interface BookingReceipt {
  bookingId: string;
  seatId: string;
  userId: string;
  fencingToken: FencingToken;
}

/** Where time went, for `Server-Timing` (ms). */
export interface StepTimings {
  lockMs: number;
  ledgerMs: number;
}

export type BookResult =
  | { kind: 'booked'; receipt: BookingReceipt; timings: StepTimings }
  | { kind: 'seat-taken'; holderBookingId: string; timings: StepTimings }
  /** The write came too late: a newer lock holder wrote first (or the lease was lost). */
  | {
      kind: 'fenced';
      token: FencingToken;
      lastToken: FencingToken;
      holderBookingId: string | undefined;
      timings: StepTimings;
    }
  | { kind: 'lock-busy'; timings: StepTimings };

export type CancelResult =
  | { kind: 'cancelled'; bookingId: string; seatId: string; fencingToken: FencingToken }
  | { kind: 'unknown-booking' }
  | { kind: 'already-cancelled'; seatId: string }
  | { kind: 'not-holder'; seatId: string; holderBookingId: string | undefined }
  | { kind: 'fenced'; seatId: string; token: FencingToken; lastToken: FencingToken }
  | { kind: 'lock-busy'; seatId: string };

export interface SeatBookerOptions {
  lock: SeatLock;
  ledger: Ledger;
  metrics: BookingMetrics;
  logger: Logger;
  lockWaitMs: number;
  lockRetryMs: number;
  /** Test hook: a stop-the-world-like pause between lock and ledger write, ms (0 = off). */
  stallMs: number;
}

export interface BookRequest {
  seatId: string;
  userId: string;
  idempotency?: Omit<IdempotencyRecordWrite, 'responseBody'>;
  /** Longest lock wait allowed by the caller (its deadline), ms. */
  maxWaitMs?: number;
  signal?: AbortSignal;
}

type Acquired =
  { granted: true; grant: LockGrant; waitedMs: number } | { granted: false; waitedMs: number };

export class SeatBooker {
  constructor(private readonly o: SeatBookerOptions) {}

  async book(req: BookRequest): Promise<BookResult> {
    const { metrics } = this.o;
    const grant = await this.#acquire(req.seatId, req.maxWaitMs, req.signal);
    const timings: StepTimings = { lockMs: grant.waitedMs, ledgerMs: 0 };
    if (!grant.granted) {
      metrics.bookings.inc({ result: 'lock_busy' });
      return { kind: 'lock-busy', timings };
    }
    return this.#underLock(grant.grant, async (beforeWrite) => {
      const seat = await this.o.ledger.seat(req.seatId);
      if (seat.status === 'booked') {
        metrics.bookings.inc({ result: 'seat_taken' });
        return { kind: 'seat-taken', holderBookingId: seat.bookingId ?? '', timings };
      }
      await beforeWrite();
      const bookingId = randomUUID();
      const receipt: BookingReceipt = {
        bookingId,
        seatId: req.seatId,
        userId: req.userId,
        fencingToken: grant.grant.token,
      };
      const started = performance.now();
      const outcome = await this.#write(grant.grant, 'book', () =>
        this.o.ledger.book(
          grant.grant,
          bookingId,
          req.userId,
          req.idempotency && { ...req.idempotency, responseBody: JSON.stringify(receipt) },
        ),
      );
      timings.ledgerMs = performance.now() - started;
      if (outcome.accepted) {
        metrics.bookings.inc({ result: 'booked' });
        if (outcome.replacedBookingId) {
          // Only possible with fencing off: this is the double booking the checker will find.
          this.o.logger.warn(
            { seatId: req.seatId, bookingId, replaced: outcome.replacedBookingId },
            'unfenced write overwrote another booking',
          );
        }
        return { kind: 'booked', receipt, timings };
      }
      if (outcome.reason === 'stale_token') {
        metrics.bookings.inc({ result: 'fenced' });
        return {
          kind: 'fenced',
          token: grant.grant.token,
          lastToken: outcome.lastToken,
          holderBookingId: outcome.holderBookingId,
          timings,
        };
      }
      metrics.bookings.inc({ result: 'seat_taken' });
      return { kind: 'seat-taken', holderBookingId: outcome.holderBookingId ?? '', timings };
    });
  }

  async cancel(bookingId: string, signal?: AbortSignal): Promise<CancelResult> {
    const { metrics } = this.o;
    const booking = await this.o.ledger.booking(bookingId);
    if (!booking) return { kind: 'unknown-booking' };
    const seatId = booking.seatId;
    if (booking.status === 'cancelled') return { kind: 'already-cancelled', seatId };
    const grant = await this.#acquire(seatId, undefined, signal);
    if (!grant.granted) {
      metrics.cancellations.inc({ result: 'lock_busy' });
      return { kind: 'lock-busy', seatId };
    }
    return this.#underLock(grant.grant, async (beforeWrite): Promise<CancelResult> => {
      await beforeWrite();
      const outcome = await this.#write(grant.grant, 'cancel', () =>
        this.o.ledger.cancel(grant.grant, bookingId),
      );
      if (outcome.accepted) {
        metrics.cancellations.inc({ result: 'cancelled' });
        return { kind: 'cancelled', bookingId, seatId, fencingToken: grant.grant.token };
      }
      if (outcome.reason === 'stale_token') {
        metrics.cancellations.inc({ result: 'fenced' });
        return { kind: 'fenced', seatId, token: grant.grant.token, lastToken: outcome.lastToken };
      }
      metrics.cancellations.inc({ result: 'not_holder' });
      return { kind: 'not-holder', seatId, holderBookingId: outcome.holderBookingId };
    });
  }

  /** Takes the seat's lock within the bounded wait, inside a `seat-lock.acquire` span. */
  async #acquire(
    seatId: string,
    maxWaitMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Acquired> {
    const { metrics } = this.o;
    return inChildSpan(tracer, 'seat-lock.acquire', async (span) => {
      const start = performance.now();
      try {
        span.setAttribute('booking.seat_id', seatId);
        const grant = await this.o.lock.acquire(seatId, {
          waitMs: Math.min(this.o.lockWaitMs, maxWaitMs ?? Infinity),
          retryMs: this.o.lockRetryMs,
          ...(signal ? { signal } : {}),
        });
        const waitedMs = performance.now() - start;
        const result = grant ? 'acquired' : 'busy';
        metrics.lockAcquisitions.inc({ result });
        metrics.lockWait.observe({ result }, waitedMs / 1000);
        span.setAttribute('booking.lock.result', result);
        if (!grant) return { granted: false as const, waitedMs };
        span.setAttribute('booking.fencing_token', grant.token);
        return { granted: true as const, grant, waitedMs };
      } catch (e) {
        failSpan(span, e);
        throw e;
      } finally {
        span.end();
      }
    });
  }

  /**
   * Runs `work` while holding `grant`: the lease is renewed meanwhile and the lock released
   * afterwards. `work` calls `beforeWrite` between its reads and its ledger write: that is
   * where the test stall (if on) pauses, with renewal frozen as in a stop-the-world pause.
   */
  async #underLock<T>(
    grant: LockGrant,
    work: (beforeWrite: () => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const { metrics, logger } = this.o;
    const keeper = new LeaseKeeper(this.o.lock, grant, {
      onRenewed: () => metrics.lockRenewals.inc({ result: 'renewed' }),
      onLost: () => metrics.lockRenewals.inc({ result: 'lost' }),
      onError: () => metrics.lockRenewals.inc({ result: 'error' }),
    });
    const beforeWrite = async () => {
      if (this.o.stallMs <= 0) return;
      keeper.suspend();
      logger.warn({ seatId: grant.seatId, token: grant.token, ms: this.o.stallMs }, 'test stall');
      await new Promise((resolve) => setTimeout(resolve, this.o.stallMs));
      keeper.resume();
    };
    try {
      // No "do I still hold the lock?" check before writing: its answer would be stale by
      // the time the write lands. The fencing token is checked atomically with the write.
      return await work(beforeWrite);
    } finally {
      keeper.stop();
      await this.#release(grant);
    }
  }

  async #write(
    grant: LockGrant,
    operation: 'book' | 'cancel',
    write: () => Promise<LedgerOutcome>,
  ): Promise<LedgerOutcome> {
    return inChildSpan(tracer, 'ledger.write', async (span) => {
      try {
        span.setAttributes({
          'booking.seat_id': grant.seatId,
          'booking.fencing_token': grant.token,
          'booking.operation': operation,
          'booking.fencing': this.o.ledger.fencing,
        });
        const outcome = await write();
        span.setAttribute('booking.ledger.result', outcome.accepted ? 'accepted' : outcome.reason);
        span.setAttribute('booking.ledger.last_token', outcome.lastToken);
        if (!outcome.accepted && outcome.reason === 'stale_token') {
          this.o.metrics.fencingRejections.inc({ operation });
          this.o.logger.warn(
            { seatId: grant.seatId, token: grant.token, lastToken: outcome.lastToken, operation },
            'fencing rejected a stale write',
          );
        }
        return outcome;
      } catch (e) {
        failSpan(span, e);
        throw e;
      } finally {
        span.end();
      }
    });
  }

  /** Releases the lock; an outage here is logged, not thrown: the lease expires anyway. */
  async #release(grant: LockGrant): Promise<void> {
    const { metrics, logger } = this.o;
    await inChildSpan(tracer, 'seat-lock.release', async (span) => {
      span.setAttributes({ 'booking.seat_id': grant.seatId, 'booking.fencing_token': grant.token });
      try {
        const released = await this.o.lock.release(grant);
        const result = released ? 'released' : 'not_owner';
        metrics.lockReleases.inc({ result });
        span.setAttribute('booking.lock.release', result);
      } catch (e) {
        failSpan(span, e);
        logger.warn({ err: e, seatId: grant.seatId }, 'lock release failed; the lease will expire');
      } finally {
        metrics.lockHold.observe((performance.now() - grant.grantedAt) / 1000);
        span.end();
      }
    });
  }
}

function failSpan(span: Span, e: unknown): void {
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: e instanceof Error ? e.message : String(e),
  });
}
