/**
 * `/bookings`: book a seat (rate limited, idempotent with an Idempotency-Key), read a booking,
 * cancel it. Cancelling is a POST to `/cancel`, not a DELETE: the booking is not removed, it
 * stays readable as `cancelled` (the seat's ledger history), and a DELETE that left it
 * readable would say the opposite of what it did. Each handler finds out what happened; `http-outcomes.ts` says it in HTTP.
 */
import type { Request, Response, Router } from 'express';
import { requestDeadline } from '@faultline/kit/deadline';
import type { BookingContext } from './booking-context.js';
import {
  answerFor,
  bookAnswers,
  cancelAnswers,
  claimAnswers,
  claimMetricResult,
  send,
  unknownBooking,
  unknownSeat,
} from './http-outcomes.js';
import { fingerprint } from './idempotency.js';
import { bookingBody, bookingParams } from './request-schemas.js';
import { handle, readIdempotencyKey, setServerTiming } from './route-support.js';
import type { BookResult } from './seat-booker.js';

export function bookingRoutes(r: Router, ctx: BookingContext): void {
  r.post('/bookings', ctx.perUserLimit, handle(bookSeat(ctx)));

  r.get(
    '/bookings/:bookingId',
    handle(async (req, res) => {
      const { bookingId } = bookingParams.parse(req.params);
      const booking = await ctx.guarded.run(() => ctx.ledger.booking(bookingId));
      if (!booking) return send(res, unknownBooking(bookingId));
      res.json(booking);
    }),
  );

  r.post(
    '/bookings/:bookingId/cancel',
    handle(async (req, res) => {
      const { bookingId } = bookingParams.parse(req.params);
      const result = await ctx.guarded.run(() =>
        ctx.booker.cancel(bookingId, requestDeadline(res).signal()),
      );
      send(res, answerFor(cancelAnswers, result, bookingId));
    }),
  );
}

/**
 * POST /bookings. With an Idempotency-Key the key is claimed first (a replay, conflict or
 * in-flight duplicate is answered from the claim), the booker completes it with the ledger
 * write, and the other outcomes store or free it as the outcome table says.
 */
function bookSeat(ctx: BookingContext): (req: Request, res: Response) => Promise<void> {
  const { config, catalogue, guarded, booker, idempotency, bookingMetrics } = ctx;
  return async (req, res) => {
    const body = bookingBody.parse(req.body);
    if (!catalogue.showOf(body.seatId)) return send(res, unknownSeat(body.seatId));
    const idemKey = readIdempotencyKey(req, res);
    if (idemKey === null) return;
    const fp = idemKey === undefined ? '' : fingerprint('POST', '/bookings', body);
    if (idemKey !== undefined) {
      const claim = await guarded.run(() => idempotency.claim(idemKey, fp));
      if (claim.kind !== 'claimed') {
        bookingMetrics.idempotency.inc({ result: claimMetricResult[claim.kind] });
        return send(res, answerFor(claimAnswers, claim));
      }
      bookingMetrics.idempotency.inc({ result: 'new' });
    }
    let result: BookResult;
    try {
      result = await guarded.run(() =>
        booker.book({
          seatId: body.seatId,
          userId: body.userId,
          ...(idemKey !== undefined
            ? { idempotency: { key: idemKey, fingerprint: fp, ttlMs: config.IDEMPOTENCY_TTL_MS } }
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
    const answer = answerFor(bookAnswers, result, body.seatId);
    if (idemKey !== undefined && answer.claim === 'complete')
      await guarded.run(() => idempotency.complete(idemKey, fp, answer.status, answer.body));
    if (idemKey !== undefined && answer.claim === 'abandon')
      await guarded.run(() => idempotency.abandon(idemKey, fp));
    send(res, answer);
  };
}
