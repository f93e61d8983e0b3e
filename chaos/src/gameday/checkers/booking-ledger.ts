/**
 * `booking-ledger`: the ledger itself is sound. No seat has two active bookings (now, or at
 * any point of the accepted-write history); every accepted write to a seat carries a fencing
 * token newer than the last one accepted for it; the seat and booking records agree (the
 * service's own ledger check, services/booking/src/ledger-check.ts, re-done from Redis).
 */
import type { Witness } from '../journal.js';
import type { LedgerSnapshot, LedgerWrite } from './booking-ledger-data.js';
import type { Checker, CheckerVerdict } from './checker.js';
import { NO_LEDGER, unknownCount } from './checker.js';

/** Epoch ms of a stream id (`<ms>-<n>`). */
const streamMs = (id: string) => Number(id.split('-')[0]);

export function judgeLedger(l: LedgerSnapshot): CheckerVerdict {
  const witnesses: Witness[] = [];
  const byId = new Map(l.bookings.map((b) => [b.bookingId, b]));
  const describe = (w: LedgerWrite) => {
    const b = byId.get(w.bookingId);
    return `${w.bookingId} with token ${w.token} at ${new Date(streamMs(w.id)).toISOString()}${b ? ` (now ${b.status})` : ''}`;
  };
  const event = (w: LedgerWrite) => ({
    at: streamMs(w.id),
    subject: w.seatId,
    detail: `${w.op} ${w.bookingId} token ${w.token}`,
    fields: { stream: w.id, bookingId: w.bookingId, token: w.token, op: w.op },
  });

  // History replay: a booking over a held seat, or a token not newer than the last accepted.
  const holder = new Map<string, LedgerWrite>();
  const last = new Map<string, LedgerWrite>();
  for (const w of l.writes) {
    const prev = last.get(w.seatId);
    if (prev && !(w.token > prev.token))
      witnesses.push({
        description: `seat ${w.seatId}: write of ${describe(w)} accepted after ${describe(prev)} (token not newer)`,
        events: [event(prev), event(w)],
      });
    last.set(w.seatId, w);
    const held = holder.get(w.seatId);
    if (w.op === 'book') {
      if (held)
        witnesses.push({
          description: `seat ${w.seatId}: bookings ${describe(held)} and ${describe(w)} both held it`,
          events: [event(held), event(w)],
        });
      holder.set(w.seatId, w);
    } else if (w.op === 'cancel') holder.delete(w.seatId);
  }

  // State: at most one active booking per seat, and the seat names it.
  const active = new Map<string, LedgerSnapshot['bookings']>();
  for (const b of l.bookings)
    if (b.status === 'booked') active.set(b.seatId, [...(active.get(b.seatId) ?? []), b]);
  for (const [seatId, list] of active)
    if (list.length > 1)
      witnesses.push({
        description: `seat ${seatId}: ${list.length} active bookings: ${list.map((b) => `${b.bookingId} (token ${b.fencingToken}, ${b.createdAt})`).join(', ')}`,
        events: list.map((b) => ({
          at: Date.parse(b.createdAt),
          subject: seatId,
          detail: `${b.bookingId} token ${b.fencingToken} active`,
          fields: { bookingId: b.bookingId, token: b.fencingToken, status: b.status },
        })),
      });
  for (const s of l.seats)
    if (s.bookingId && !(active.get(s.seatId) ?? []).some((b) => b.bookingId === s.bookingId))
      witnesses.push({
        description: `seat ${s.seatId} is held by ${s.bookingId}, which is not an active booking of it`,
        events: [{ subject: s.seatId, detail: `seat names ${s.bookingId}` }],
      });

  const checked = l.writes.length;
  if (witnesses.length === 0)
    return {
      status: 'pass',
      summary: `${checked} accepted writes, ${l.bookings.length} bookings, ${l.seats.length} seats: no seat booked twice, every token newer than the last`,
      checked,
      unknownOperations: 0,
    };
  // The smallest evidence first: a double booking says most.
  witnesses.sort((a, b) => a.events.length - b.events.length);
  const double = witnesses.find(
    (w) => w.description.includes('both') || w.description.includes('active bookings'),
  );
  const witness = double ?? witnesses[0]!;
  return {
    status: 'fail',
    summary: `${witnesses.length} violation${witnesses.length === 1 ? '' : 's'}; first: ${witness.description}`,
    checked,
    unknownOperations: 0,
    witness,
  };
}

export const bookingLedgerChecker: Checker = {
  name: 'booking-ledger',
  readsLedger: true,
  run(i) {
    if (!i.ledger) return Promise.resolve(NO_LEDGER);
    const verdict = judgeLedger(i.ledger);
    return Promise.resolve({ ...verdict, unknownOperations: unknownCount(i.history, ['book']) });
  },
};
