/**
 * Booking's ledger as the checkers read it from Redis: the history stream of accepted writes
 * (in order), every booking hash and every seat hash. The layout is booking's own
 * (services/booking/src/keys.ts, ledger.ts); chaos may not import services, so it is read here
 * from Redis directly, as any outside auditor would.
 */
import { Redis } from 'ioredis';

export interface LedgerWrite {
  /** Stream id (`<ms>-<n>`): the order Redis accepted the writes in. */
  id: string;
  /** `book` or `cancel`. */
  op: string;
  seatId: string;
  bookingId: string;
  token: number;
  /** `book`: the booking the write replaced (fencing off lets that happen). */
  replaced?: string;
}

export interface LedgerBooking {
  bookingId: string;
  seatId: string;
  userId: string;
  fencingToken: number;
  status: string;
  createdAt: string;
}

export interface LedgerSnapshot {
  writes: LedgerWrite[];
  bookings: LedgerBooking[];
  seats: { seatId: string; bookingId: string | undefined; lastToken: number }[];
}

export async function readLedger(redisUrl: string): Promise<LedgerSnapshot> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  await redis.connect();
  try {
    const writes: LedgerWrite[] = [];
    let cursor = '-';
    for (;;) {
      const page = await redis.xrange('booking:history', cursor, '+', 'COUNT', 1000);
      for (const [id, fields] of page) {
        const f = fieldMap(fields);
        writes.push({
          id,
          op: f.op ?? '',
          seatId: f.seatId ?? '',
          bookingId: f.bookingId ?? '',
          token: Number(f.token),
          ...(f.replaced ? { replaced: f.replaced } : {}),
        });
      }
      if (page.length < 1000) break;
      cursor = `(${page[page.length - 1]![0]}`;
    }
    const bookings: LedgerBooking[] = [];
    for (const key of await scanAll(redis, 'booking:booking:*')) {
      const h = await redis.hgetall(key);
      bookings.push({
        bookingId: h.bookingId ?? key.slice('booking:booking:'.length),
        seatId: h.seatId ?? '',
        userId: h.userId ?? '',
        fencingToken: Number(h.fencingToken),
        status: h.status ?? '',
        createdAt: h.createdAt ?? '',
      });
    }
    const seats: LedgerSnapshot['seats'] = [];
    for (const key of await scanAll(redis, 'booking:seat:*')) {
      const h = await redis.hgetall(key);
      seats.push({
        seatId: key.slice(key.indexOf('{') + 1, -1),
        bookingId: h.bookingId,
        lastToken: Number(h.lastToken ?? 0),
      });
    }
    return { writes, bookings, seats };
  } finally {
    redis.disconnect();
  }
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
