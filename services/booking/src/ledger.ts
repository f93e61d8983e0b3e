/**
 * The ledger: which booking holds which seat. Every change is one Lua script, so it is atomic
 * in Redis, and with fencing on it is accepted only if the writer's fencing token is greater
 * than the last token accepted for the seat (and, for a booking, the seat is free). A writer
 * whose lease expired while it was paused carries an older token than whoever took the lock
 * after it, so its late write is rejected however late it arrives.
 *
 * With fencing off the write trusts the lock: it is a blind write, as a store that knows
 * nothing of locks would do, and the "is the seat free?" decision is the read made under the
 * lock. That is the negative control: a paused holder then double-books.
 *
 * Every accepted write is appended to a history stream in the same script, so the safety
 * checker (ledger-check.ts) sees exactly what was accepted, in order.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import type { FencingToken, LockGrant } from './seat-lock.js';

const BOOK_LUA = `
local token = tonumber(ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], 'lastToken') or '0')
local holder = redis.call('HGET', KEYS[1], 'bookingId')
if ARGV[5] == '1' then
  if token <= last then return {'stale_token', tostring(last), holder or ''} end
  if holder then return {'seat_taken', tostring(last), holder} end
end
redis.call('HSET', KEYS[1], 'bookingId', ARGV[2], 'userId', ARGV[4], 'token', ARGV[1], 'lastToken', ARGV[1])
redis.call('HSET', KEYS[2], 'bookingId', ARGV[2], 'seatId', ARGV[3], 'userId', ARGV[4],
  'fencingToken', ARGV[1], 'status', 'booked', 'createdAt', ARGV[6])
redis.call('XADD', KEYS[3], '*', 'op', 'book', 'seatId', ARGV[3], 'bookingId', ARGV[2],
  'token', ARGV[1], 'replaced', holder or '')
if ARGV[7] == '1' then
  redis.call('SET', KEYS[4], cjson.encode({state = 'done', fingerprint = ARGV[8], status = 201,
    body = ARGV[10]}), 'PX', ARGV[9])
end
return {'ok', tostring(last), holder or ''}
`;

const CANCEL_LUA = `
local token = tonumber(ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], 'lastToken') or '0')
local holder = redis.call('HGET', KEYS[1], 'bookingId')
if ARGV[3] == '1' then
  if token <= last then return {'stale_token', tostring(last), holder or ''} end
  if holder ~= ARGV[2] then return {'not_holder', tostring(last), holder or ''} end
end
redis.call('HDEL', KEYS[1], 'bookingId', 'userId', 'token')
redis.call('HSET', KEYS[1], 'lastToken', ARGV[1])
redis.call('HSET', KEYS[2], 'status', 'cancelled', 'cancelledAt', ARGV[5], 'cancelToken', ARGV[1])
redis.call('XADD', KEYS[3], '*', 'op', 'cancel', 'seatId', ARGV[4], 'bookingId', ARGV[2],
  'token', ARGV[1], 'removed', holder or '')
return {'ok', tostring(last), holder or ''}
`;

interface LedgerCommands {
  bookingLedgerBook(
    seatKey: string,
    bookingKey: string,
    historyKey: string,
    idemKey: string,
    ...args: (string | number)[]
  ): Promise<[string, string, string]>;
  bookingLedgerCancel(
    seatKey: string,
    bookingKey: string,
    historyKey: string,
    ...args: (string | number)[]
  ): Promise<[string, string, string]>;
}

/** Why a ledger write was refused. */
export type LedgerRejection = 'stale_token' | 'seat_taken' | 'not_holder';

export type LedgerOutcome =
  | { accepted: true; lastToken: FencingToken; replacedBookingId: string | undefined }
  | {
      accepted: false;
      reason: LedgerRejection;
      lastToken: FencingToken;
      holderBookingId: string | undefined;
    };

/** Stored alongside a booking so that a retry with the same key replays the answer. */
export interface IdempotencyRecordWrite {
  key: string;
  fingerprint: string;
  ttlMs: number;
  responseBody: string;
}

export interface Booking {
  bookingId: string;
  seatId: string;
  userId: string;
  fencingToken: FencingToken;
  status: 'booked' | 'cancelled';
  createdAt: string;
}

export interface SeatState {
  seatId: string;
  status: 'free' | 'booked';
  bookingId?: string;
  userId?: string;
  fencingToken?: FencingToken;
}

export class Ledger {
  readonly #redis: Redis & LedgerCommands;

  /** @param fencing check tokens (on) or trust the lock (off, the negative control) */
  constructor(
    redis: Redis,
    readonly fencing: boolean,
  ) {
    redis.defineCommand('bookingLedgerBook', { numberOfKeys: 4, lua: BOOK_LUA });
    redis.defineCommand('bookingLedgerCancel', { numberOfKeys: 3, lua: CANCEL_LUA });
    this.#redis = redis as Redis & LedgerCommands;
  }

  /** Records `bookingId` as the holder of the grant's seat, fenced by the grant's token. */
  async book(
    grant: LockGrant,
    bookingId: string,
    userId: string,
    idempotency?: IdempotencyRecordWrite,
  ): Promise<LedgerOutcome> {
    const reply = await this.#redis.bookingLedgerBook(
      keys.seat(grant.seatId),
      keys.booking(bookingId),
      keys.history(),
      keys.idempotency(idempotency?.key ?? ''),
      grant.token,
      bookingId,
      grant.seatId,
      userId,
      this.fencing ? '1' : '0',
      new Date().toISOString(),
      idempotency ? '1' : '0',
      idempotency?.fingerprint ?? '',
      idempotency?.ttlMs ?? 0,
      idempotency?.responseBody ?? '',
    );
    return outcome(reply);
  }

  /** Frees the grant's seat if `bookingId` holds it, fenced by the grant's token. */
  async cancel(grant: LockGrant, bookingId: string): Promise<LedgerOutcome> {
    const reply = await this.#redis.bookingLedgerCancel(
      keys.seat(grant.seatId),
      keys.booking(bookingId),
      keys.history(),
      grant.token,
      bookingId,
      this.fencing ? '1' : '0',
      grant.seatId,
      new Date().toISOString(),
    );
    return outcome(reply);
  }

  async seat(seatId: string): Promise<SeatState> {
    return seatState(seatId, await this.#redis.hgetall(keys.seat(seatId)));
  }

  /** Several seats in one round trip. */
  async seats(seatIds: readonly string[]): Promise<SeatState[]> {
    const pipeline = this.#redis.pipeline();
    for (const id of seatIds) pipeline.hgetall(keys.seat(id));
    const replies = (await pipeline.exec()) ?? [];
    return seatIds.map((id, i) => {
      const [err, value] = replies[i] ?? [new Error('missing reply'), undefined];
      if (err) throw err;
      return seatState(id, value as Record<string, string>);
    });
  }

  async booking(bookingId: string): Promise<Booking | undefined> {
    const h = await this.#redis.hgetall(keys.booking(bookingId));
    if (!h.bookingId || !h.seatId) return undefined;
    return {
      bookingId: h.bookingId,
      seatId: h.seatId,
      userId: h.userId ?? '',
      fencingToken: Number(h.fencingToken),
      status: h.status === 'cancelled' ? 'cancelled' : 'booked',
      createdAt: h.createdAt ?? '',
    };
  }
}

function outcome([status, last, holder]: [string, string, string]): LedgerOutcome {
  const lastToken = Number(last);
  if (status === 'ok') return { accepted: true, lastToken, replacedBookingId: holder || undefined };
  return {
    accepted: false,
    reason: status as LedgerRejection,
    lastToken,
    holderBookingId: holder || undefined,
  };
}

function seatState(seatId: string, h: Record<string, string>): SeatState {
  if (!h.bookingId) return { seatId, status: 'free' };
  return {
    seatId,
    status: 'booked',
    bookingId: h.bookingId,
    userId: h.userId ?? '',
    fencingToken: Number(h.token),
  };
}
