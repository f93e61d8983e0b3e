/**
 * The one table from domain outcomes to HTTP: every result of booking, cancelling and claiming
 * an idempotency key, and every "not found", as status, JSON body and headers. Handlers decide
 * what happened; this file alone decides how it is said. Bodies are `{error, details, ...}`
 * (the kit's error shape) plus what a client needs to act (the holder, the tokens).
 */
import type { Response } from 'express';
import type { ErrorDetail } from '@faultline/kit/http-errors';
import type { ClaimResult } from './idempotency.js';
import type { BookResult, CancelResult } from './seat-booker.js';

/** What to do with the request's idempotency claim once the answer is known. */
export type ClaimFollowUp = 'none' | 'complete' | 'abandon';

/** One HTTP answer. */
export interface HttpAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** For POST /bookings with an Idempotency-Key: store the answer, or free the key. */
  claim?: ClaimFollowUp;
}

const errorBody = (error: string, details: ErrorDetail[], extra: object = {}) => ({
  error,
  details,
  ...extra,
});
const retryAfterOne = { 'Retry-After': '1' };

/** One answer per outcome kind: the compiler checks that no kind is left out. */
export type AnswerTable<R extends { kind: string }, A extends unknown[]> = {
  [K in R['kind']]: (r: Extract<R, { kind: K }>, ...args: A) => HttpAnswer;
};

/** The answer `table` gives for outcome `r`. */
export function answerFor<R extends { kind: string }, A extends unknown[]>(
  table: AnswerTable<R, A>,
  r: R,
  ...args: A
): HttpAnswer {
  // Indexing a mapped type by a union loses the pairing of kind and payload; it holds here.
  return (table[r.kind as R['kind']] as (r: R, ...args: A) => HttpAnswer)(r, ...args);
}

/** POST /bookings: the booker's outcome for `seatId`. */
export const bookAnswers = {
  // The booker completed the idempotency record with the ledger write, atomically.
  booked: (r) => ({
    status: 201,
    body: r.receipt,
    headers: { Location: `/bookings/${r.receipt.bookingId}` },
  }),
  'seat-taken': (r, seatId) => ({
    status: 409,
    body: errorBody(
      'seat_taken',
      [{ path: 'seatId', message: `seat ${seatId} is already booked` }],
      { holderBookingId: r.holderBookingId },
    ),
    claim: 'complete',
  }),
  fenced: (r, seatId) => ({
    status: 409,
    body: errorBody(
      'fenced',
      [
        {
          path: 'seatId',
          message: `the lock on ${seatId} was lost before the write (fencing token ${r.token} <= last accepted ${r.lastToken}); nothing was booked`,
        },
      ],
      {
        holderBookingId: r.holderBookingId ?? null,
        fencingToken: r.token,
        lastAcceptedToken: r.lastToken,
      },
    ),
    claim: 'complete',
  }),
  // Nothing happened: the same key may try again.
  'lock-busy': (_r, seatId) => ({
    status: 423,
    body: errorBody('seat_locked', [
      { path: 'seatId', message: `seat ${seatId} is being booked by another request; try again` },
    ]),
    headers: retryAfterOne,
    claim: 'abandon',
  }),
} satisfies AnswerTable<BookResult, [seatId: string]>;

/** POST /bookings/:bookingId/cancel: the booker's outcome for `bookingId`. */
export const cancelAnswers = {
  cancelled: (r) => ({
    status: 200,
    body: {
      bookingId: r.bookingId,
      seatId: r.seatId,
      fencingToken: r.fencingToken,
      status: 'cancelled',
    },
  }),
  'unknown-booking': (_r, bookingId) => unknownBooking(bookingId),
  'already-cancelled': (_r, bookingId) => ({
    status: 409,
    body: errorBody('already_cancelled', [
      { path: 'bookingId', message: `booking ${bookingId} is already cancelled` },
    ]),
  }),
  'not-holder': (r, bookingId) => ({
    status: 409,
    body: errorBody('not_holder', [
      { path: 'bookingId', message: `booking ${bookingId} does not hold ${r.seatId}` },
    ]),
  }),
  fenced: (r) => ({
    status: 409,
    body: errorBody('fenced', [
      {
        path: 'bookingId',
        message: `the lock on ${r.seatId} was lost before the write (fencing token ${r.token} <= ${r.lastToken}); nothing was cancelled`,
      },
    ]),
  }),
  'lock-busy': (r) => ({
    status: 423,
    body: errorBody('seat_locked', [
      { path: 'bookingId', message: `seat ${r.seatId} is locked by another request; try again` },
    ]),
    headers: retryAfterOne,
  }),
} satisfies AnswerTable<CancelResult, [bookingId: string]>;

/** An Idempotency-Key claim that did not make this request the one to run. */
export const claimAnswers = {
  replay: (r) => ({ status: r.status, body: r.body, headers: { 'Idempotent-Replayed': 'true' } }),
  // 409, not the 422 of the IETF idempotency-key draft: the request itself is well formed
  // (422 would call it unprocessable, and a schema-valid request is not); it conflicts with
  // what the server already holds under the key, like a key still in progress.
  conflict: () => ({
    status: 409,
    body: errorBody('idempotency_key_reused', [
      {
        path: 'headers.idempotency-key',
        message: 'this key was used with a different request body',
      },
    ]),
  }),
  'in-progress': () => ({
    status: 409,
    body: errorBody('idempotency_in_progress', [
      { path: 'headers.idempotency-key', message: 'a request with this key is still running' },
    ]),
    headers: retryAfterOne,
  }),
} satisfies AnswerTable<Exclude<ClaimResult, { kind: 'claimed' }>, []>;

/** The metric label of each claim outcome. */
export const claimMetricResult = {
  replay: 'replayed',
  conflict: 'conflict',
  'in-progress': 'in_progress',
} as const satisfies Record<Exclude<ClaimResult, { kind: 'claimed' }>['kind'], string>;

export function unknownSeat(seatId: string): HttpAnswer {
  return {
    status: 404,
    body: errorBody('unknown_seat', [
      {
        path: 'seatId',
        message: `no seat ${JSON.stringify(seatId.slice(0, 64))} (seat ids are <show>-<n>)`,
      },
    ]),
  };
}

export function unknownBooking(bookingId: string): HttpAnswer {
  return {
    status: 404,
    body: errorBody('unknown_booking', [{ path: 'bookingId', message: `no booking ${bookingId}` }]),
  };
}

export function unknownShow(showId: string): HttpAnswer {
  return {
    status: 404,
    body: errorBody('unknown_show', [
      { path: 'showId', message: `no show ${JSON.stringify(showId.slice(0, 64))}` },
    ]),
  };
}

/** Redis unreachable, or its breaker open: 503 with the wait before it is worth retrying. */
export function redisUnavailable(message: string, retryAfterMs: number): HttpAnswer {
  return {
    status: 503,
    body: errorBody('redis_unavailable', [{ path: 'redis', message }]),
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  };
}

/** Writes `answer` to `res`. */
export function send(res: Response, answer: HttpAnswer): void {
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  res.status(answer.status).json(answer.body);
}
