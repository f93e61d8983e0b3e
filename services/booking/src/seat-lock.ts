/**
 * A per-seat lock in Redis with a fencing token on every grant. Acquire is one Lua script:
 * `SET lock NX PX ttl` and, only if that succeeded, `INCR` of the seat's token counter, so a
 * grant and its token can never come apart. Renew and release compare the owner first
 * (compare-and-pexpire, compare-and-delete): a holder whose lease expired cannot extend or
 * delete somebody else's lock.
 *
 * A lock alone does not make writes safe: a holder can pause past its lease and write later.
 * The token is what the ledger checks (see ledger.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

const ACQUIRE_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
`;

const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

interface SeatLockCommands {
  bookingLockAcquire(
    lockKey: string,
    fenceKey: string,
    owner: string,
    ttlMs: number,
  ): Promise<number>;
  bookingLockRenew(lockKey: string, owner: string, ttlMs: number): Promise<number>;
  bookingLockRelease(lockKey: string, owner: string): Promise<number>;
}

/** A monotonic (per seat) number issued with each lock grant; later grants get larger ones. */
export type FencingToken = number;

/** A granted lock: who holds it, with which token, since when. */
export interface LockGrant {
  readonly seatId: string;
  readonly owner: string;
  readonly token: FencingToken;
  /** `performance.now()` at the grant, for hold-time metrics. */
  readonly grantedAt: number;
  /** How long the caller waited for it, ms. */
  readonly waitedMs: number;
}

export interface AcquireOptions {
  /** Longest wait while the seat is locked by someone else, ms (0 = one attempt). */
  waitMs: number;
  /** Upper bound of the random pause between attempts, ms. */
  retryMs: number;
  /** Gives up early (the request's deadline). */
  signal?: AbortSignal;
}

export class SeatLock {
  readonly #redis: Redis & SeatLockCommands;

  /**
   * @param instance this replica's name, the prefix of every owner id (readable in Redis)
   * @param ttlMs lease length
   */
  constructor(
    redis: Redis,
    readonly instance: string,
    readonly ttlMs: number,
  ) {
    redis.defineCommand('bookingLockAcquire', { numberOfKeys: 2, lua: ACQUIRE_LUA });
    redis.defineCommand('bookingLockRenew', { numberOfKeys: 1, lua: RENEW_LUA });
    redis.defineCommand('bookingLockRelease', { numberOfKeys: 1, lua: RELEASE_LUA });
    this.#redis = redis as Redis & SeatLockCommands;
  }

  /** One attempt: a grant, or undefined when someone else holds the lock. */
  async tryAcquire(seatId: string, waitedMs = 0): Promise<LockGrant | undefined> {
    const owner = `${this.instance}:${randomUUID()}`;
    const token = await this.#redis.bookingLockAcquire(
      keys.lock(seatId),
      keys.fence(seatId),
      owner,
      this.ttlMs,
    );
    if (token === 0) return undefined;
    return { seatId, owner, token, grantedAt: performance.now(), waitedMs };
  }

  /**
   * Tries until granted or `waitMs` passed, pausing a random time in `[1, retryMs]` between
   * attempts (jitter, so waiters do not retry in lockstep). Undefined when it stayed busy.
   */
  async acquire(seatId: string, opts: AcquireOptions): Promise<LockGrant | undefined> {
    const start = performance.now();
    for (;;) {
      const waited = performance.now() - start;
      const grant = await this.tryAcquire(seatId, waited);
      if (grant) return grant;
      const left = opts.waitMs - (performance.now() - start);
      if (left <= 0 || opts.signal?.aborted) return undefined;
      const pause = Math.min(left, 1 + Math.random() * Math.max(0, opts.retryMs - 1));
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** Extends the lease if `grant` still owns the lock; false when it was lost. */
  async renew(grant: LockGrant): Promise<boolean> {
    return (
      (await this.#redis.bookingLockRenew(keys.lock(grant.seatId), grant.owner, this.ttlMs)) === 1
    );
  }

  /** Deletes the lock if `grant` still owns it; false when it had already been lost. */
  async release(grant: LockGrant): Promise<boolean> {
    return (await this.#redis.bookingLockRelease(keys.lock(grant.seatId), grant.owner)) === 1;
  }
}
