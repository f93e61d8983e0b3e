/**
 * `booking-history`: the clients' history and the ledger agree. Every booking a client was
 * told about (201 with a booking id) is in the ledger, for that seat, with the fencing token
 * the client was given; nothing in the ledger (created during the load) is unknown to every
 * client, except what requests of unknown outcome (timeouts, 5xx after sending) may have done.
 */
import type { HistoryRecord } from '../history.js';
import type { Witness } from '../journal.js';
import type { LedgerBooking } from './booking-ledger-data.js';
import type { Checker, CheckerVerdict } from './checker.js';
import { NO_LEDGER } from './checker.js';

/** Bookings whose outcome no client knows: they may or may not have been written. */
const mayHaveHappened = (r: HistoryRecord) =>
  r.outcome === 'unknown' || (r.outcome === 'error' && r.status !== undefined && r.status >= 500);

export function judgeBookingHistory(
  history: readonly HistoryRecord[],
  bookings: readonly LedgerBooking[],
  window: { from: number; to: number },
): CheckerVerdict {
  const books = history.filter((r) => r.op === 'book');
  const acked = books.filter(
    (r) =>
      r.outcome === 'ok' && r.bookingId !== undefined && (r.status === 201 || r.status === 200),
  );
  const unknown = books.filter(mayHaveHappened);
  const ledger = new Map(bookings.map((b) => [b.bookingId, b]));
  const witnesses: Witness[] = [];
  for (const r of acked) {
    const b = ledger.get(r.bookingId!);
    const at = r.endedAt ?? r.scheduledAt;
    if (!b)
      witnesses.push({
        description: `booking ${r.bookingId} of seat ${r.seatId} was acknowledged to ${r.userId} (token ${r.fencingToken}) but is not in the ledger`,
        events: [
          {
            at,
            subject: r.seatId ?? '?',
            detail: `acknowledged ${r.bookingId}`,
            fields: { seq: r.seq, status: r.status ?? null },
          },
        ],
      });
    else if (
      b.seatId !== r.seatId ||
      (r.fencingToken !== undefined && b.fencingToken !== r.fencingToken)
    )
      witnesses.push({
        description: `booking ${r.bookingId}: the client was told seat ${r.seatId} token ${r.fencingToken}, the ledger has seat ${b.seatId} token ${b.fencingToken}`,
        events: [
          { at, subject: r.seatId ?? '?', detail: `acknowledged token ${r.fencingToken}` },
          {
            at: Date.parse(b.createdAt),
            subject: b.seatId,
            detail: `ledger token ${b.fencingToken}`,
          },
        ],
      });
  }
  const told = new Set(acked.map((r) => r.bookingId));
  // Idempotent replays and retried keys: any answer naming a booking id counts as "told".
  for (const r of books) if (r.bookingId) told.add(r.bookingId);
  const slack = 10_000;
  const unexplained = bookings.filter((b) => {
    const t = Date.parse(b.createdAt);
    return !told.has(b.bookingId) && t >= window.from - slack && t <= window.to + slack;
  });
  const maybe = new Map<string, number>();
  for (const r of unknown)
    maybe.set(`${r.seatId}|${r.userId}`, (maybe.get(`${r.seatId}|${r.userId}`) ?? 0) + 1);
  for (const b of unexplained) {
    const k = `${b.seatId}|${b.userId}`;
    const n = maybe.get(k) ?? 0;
    if (n > 0) {
      maybe.set(k, n - 1);
      continue;
    }
    witnesses.push({
      description: `booking ${b.bookingId} of seat ${b.seatId} for ${b.userId} (token ${b.fencingToken}, ${b.createdAt}) is in the ledger but no client was told of it and no request of unknown outcome could have made it`,
      events: [
        {
          at: Date.parse(b.createdAt),
          subject: b.seatId,
          detail: `ledger ${b.bookingId} token ${b.fencingToken}`,
        },
      ],
    });
  }
  const base = { checked: books.length, unknownOperations: unknown.length };
  if (witnesses.length > 0)
    return {
      ...base,
      status: 'fail',
      summary: `${witnesses.length} disagreement${witnesses.length === 1 ? '' : 's'}; first: ${witnesses[0]!.description}`,
      witness: witnesses[0]!,
    };
  if (books.length > 0 && unknown.length === books.length)
    return {
      ...base,
      status: 'unknown',
      summary: `every one of ${books.length} bookings had an unknown outcome`,
    };
  return {
    ...base,
    status: 'pass',
    summary: `${acked.length} acknowledged bookings all in the ledger with their tokens; ${unexplained.length} ledger bookings unknown to clients, all explained by ${unknown.length} requests of unknown outcome`,
  };
}

export const bookingHistoryChecker: Checker = {
  name: 'booking-history',
  readsLedger: true,
  run(i) {
    if (!i.ledger) return Promise.resolve(NO_LEDGER);
    return Promise.resolve(
      judgeBookingHistory(i.history, i.ledger.bookings, { from: i.from, to: i.to }),
    );
  },
};
