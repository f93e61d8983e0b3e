/**
 * Every Redis key the booking service uses, in one place. Per-seat keys carry the seat in a
 * hash tag (`{seat}`) so they group together when listed. The service targets one Redis
 * (primary): the ledger script also appends to a global history stream.
 */
export const keys = {
  /** The lock: `SET NX PX` holds the owner id. */
  lock: (seatId: string) => `booking:lock:{${seatId}}`,
  /** Fencing tokens issued for the seat (`INCR`): one per lock grant. */
  fence: (seatId: string) => `booking:fence:{${seatId}}`,
  /** The seat's ledger entry: hash of the current booking, plus `lastToken` accepted. */
  seat: (seatId: string) => `booking:seat:{${seatId}}`,
  /** One booking: hash of seatId, userId, fencingToken, status, createdAt. */
  booking: (bookingId: string) => `booking:booking:${bookingId}`,
  /** Append-only history of accepted ledger writes (a stream), for the safety checker. */
  history: () => 'booking:history',
  /** A remembered `Idempotency-Key`. */
  idempotency: (key: string) => `booking:idem:${key}`,
  /** A session (redis store only). */
  session: (id: string) => `booking:session:${id}`,
  /** Per-user token buckets (the kit's limiter appends the user id). */
  rateLimitPrefix: () => 'booking:ratelimit:',
};
