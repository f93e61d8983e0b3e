/**
 * `Idempotency-Key` support: the first request with a key claims it (`SET NX`, short TTL while
 * pending); its final answer is stored under the key for the configured window. A retry with
 * the same key and the same request gets that answer again; with a different request, 409
 * `idempotency_key_reused`.
 * A successful booking stores its answer in the ledger's own script (ledger.ts), so a crash
 * between booking and answering cannot lose it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** Visible ASCII, bounded: keys are client-chosen and end up in Redis key names. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

const ABANDON_LUA = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).state == 'pending' and cjson.decode(v).fingerprint == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

interface IdempotencyCommands {
  bookingIdemAbandon(key: string, fingerprint: string): Promise<number>;
}

interface StoredRecord {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  /** The response body as JSON text. */
  body?: string;
}

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'conflict' }
  | { kind: 'in-progress' };

/** A stable digest of what a request asks for: same request, same fingerprint. */
export function fingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route} ${canonicalJson(body)}`)
    .digest('hex');
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class IdempotencyStore {
  readonly #redis: Redis & IdempotencyCommands;

  /**
   * @param ttlMs how long a finished answer is remembered
   * @param pendingTtlMs how long a claim survives a crashed request that never answered
   */
  constructor(
    redis: Redis,
    readonly ttlMs: number,
    readonly pendingTtlMs: number,
  ) {
    redis.defineCommand('bookingIdemAbandon', { numberOfKeys: 1, lua: ABANDON_LUA });
    this.#redis = redis as Redis & IdempotencyCommands;
  }

  /** Claims `key` for a request with `fp`, or says what happened to an earlier one. */
  async claim(key: string, fp: string): Promise<ClaimResult> {
    const pending: StoredRecord = { state: 'pending', fingerprint: fp };
    const redisKey = keys.idempotency(key);
    const set = await this.#redis.set(
      redisKey,
      JSON.stringify(pending),
      'PX',
      this.pendingTtlMs,
      'NX',
    );
    if (set === 'OK') return { kind: 'claimed' };
    const raw = await this.#redis.get(redisKey);
    // Expired between the SET and the GET: the key is free again, so claim it properly.
    if (raw === null) return this.claim(key, fp);
    const stored = JSON.parse(raw) as StoredRecord;
    if (stored.fingerprint !== fp) return { kind: 'conflict' };
    if (stored.state === 'pending') return { kind: 'in-progress' };
    return {
      kind: 'replay',
      status: stored.status ?? 200,
      body: JSON.parse(stored.body ?? 'null'),
    };
  }

  /** Stores the final answer of a claimed request for the window. */
  async complete(key: string, fp: string, status: number, body: unknown): Promise<void> {
    const done: StoredRecord = {
      state: 'done',
      fingerprint: fp,
      status,
      body: JSON.stringify(body),
    };
    await this.#redis.set(keys.idempotency(key), JSON.stringify(done), 'PX', this.ttlMs);
  }

  /** Drops a claim whose request ended in a transient failure, so a retry runs again. */
  async abandon(key: string, fp: string): Promise<void> {
    await this.#redis.bookingIdemAbandon(keys.idempotency(key), fp);
  }
}
