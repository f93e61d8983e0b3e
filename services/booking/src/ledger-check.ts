/**
 * The safety checker: reads the ledger's write history and its current state from Redis and
 * reports every seat booked twice. It trusts nothing the service says about itself — only
 * what Redis accepted — so it can catch the double booking that fencing=off lets through.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export interface SafetyViolation {
  /** `double-booking`: a seat held by two bookings at once (in the history or right now). */
  kind: 'double-booking' | 'inconsistent';
  seatId: string;
  bookingIds: string[];
  message: string;
}

export interface LedgerReport {
  /** Accepted writes in the history. */
  writes: number;
  /** Seats held right now. */
  seatsHeld: number;
  /** Bookings in state `booked` right now. */
  activeBookings: number;
  violations: SafetyViolation[];
}

/** Checks history and state; `violations` is empty when no seat was ever booked twice. */
export async function checkLedger(redis: Redis): Promise<LedgerReport> {
  const violations: SafetyViolation[] = [];

  // 1. History: replay every accepted write in order; a booking over a held seat is a violation.
  const holders = new Map<string, string>();
  let writes = 0;
  let cursor = '-';
  for (;;) {
    const page = await redis.xrange(keys.history(), cursor, '+', 'COUNT', 1000);
    for (const [id, fields] of page) {
      writes++;
      const f = fieldMap(fields);
      const seatId = f.seatId ?? '';
      const bookingId = f.bookingId ?? '';
      const holder = holders.get(seatId);
      if (f.op === 'book') {
        if (holder !== undefined) {
          violations.push({
            kind: 'double-booking',
            seatId,
            bookingIds: [holder, bookingId],
            message: `history ${id}: ${bookingId} booked ${seatId} while ${holder} held it`,
          });
        }
        holders.set(seatId, bookingId);
      } else if (f.op === 'cancel') {
        holders.delete(seatId);
      }
    }
    if (page.length < 1000) break;
    cursor = `(${page[page.length - 1]![0]}`;
  }

  // 2. State: every active booking must be the one its seat names, and vice versa.
  const active = new Map<string, string[]>();
  for (const bookingKey of await scanAll(redis, keys.booking('*'))) {
    const [bookingId, seatId, status] = await redis.hmget(
      bookingKey,
      'bookingId',
      'seatId',
      'status',
    );
    if (status !== 'booked' || !bookingId || !seatId) continue;
    active.set(seatId, [...(active.get(seatId) ?? []), bookingId]);
  }
  let activeBookings = 0;
  for (const [seatId, ids] of active) {
    activeBookings += ids.length;
    if (ids.length > 1) {
      violations.push({
        kind: 'double-booking',
        seatId,
        bookingIds: ids,
        message: `${ids.length} active bookings for ${seatId}: ${ids.join(', ')}`,
      });
    }
  }
  let seatsHeld = 0;
  for (const seatKey of await scanAll(redis, keys.seat('*'))) {
    const holder = await redis.hget(seatKey, 'bookingId');
    if (!holder) continue;
    seatsHeld++;
    const seatId = seatKey.slice(seatKey.indexOf('{') + 1, -1);
    if (!(active.get(seatId) ?? []).includes(holder)) {
      violations.push({
        kind: 'inconsistent',
        seatId,
        bookingIds: [holder],
        message: `${seatId} is held by ${holder}, which is not an active booking of that seat`,
      });
    }
  }
  return { writes, seatsHeld, activeBookings, violations };
}

function fieldMap(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

async function scanAll(redis: Redis, match: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}
