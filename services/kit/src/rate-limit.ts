/**
 * A distributed token-bucket rate limiter: the bucket lives in Redis and one Lua script reads,
 * refills and takes from it atomically, with Redis `TIME` as the clock, so every app instance
 * shares one bucket per key and their clocks never enter into it.
 */
import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { withTimeout } from './deadline.js';

/**
 * KEYS[1] bucket; ARGV capacity, refill per second, cost.
 * Returns {allowed (0/1), whole tokens left, ms until `cost` tokens are there (0 if allowed)}.
 * The hash keeps fractional tokens so slow refill rates are exact; the key expires once a
 * bucket would be full again anyway, so idle buckets cost no memory.
 */
const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate / 1000)
  ts = now
end
local allowed = 0
local retry_after = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry_after = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return {allowed, math.floor(tokens), retry_after}
`;

/** The command ioredis adds to a client for the script (EVALSHA, falling back to EVAL). */
const COMMAND = 'faultlineTokenBucket';

interface WithTokenBucketCommand {
  [COMMAND](
    key: string,
    capacity: number,
    refillPerSecond: number,
    cost: number,
  ): Promise<[number, number, number]>;
}

export interface TokenBucketOptions {
  /** Prefix of the Redis keys. Default `ratelimit:`. */
  keyPrefix?: string;
  /** Largest burst: tokens a full bucket holds. */
  capacity: number;
  /** Steady rate: tokens added per second. */
  refillPerSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left in the bucket after this call. */
  remaining: number;
  /** When refused: ms until enough tokens are back; 0 when allowed. */
  retryAfterMs: number;
}

/** A token bucket per key, shared through Redis by every instance that uses the same prefix. */
export class RedisTokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly #redis: WithTokenBucketCommand;
  readonly #keyPrefix: string;

  constructor(redis: Redis, opts: TokenBucketOptions) {
    if (!(opts.capacity > 0)) throw new RangeError('RedisTokenBucket: capacity must be > 0');
    if (!(opts.refillPerSecond > 0)) {
      throw new RangeError('RedisTokenBucket: refillPerSecond must be > 0');
    }
    this.capacity = opts.capacity;
    this.refillPerSecond = opts.refillPerSecond;
    this.#keyPrefix = opts.keyPrefix ?? 'ratelimit:';
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
    this.#redis = redis as unknown as WithTokenBucketCommand;
  }

  /** Takes `cost` tokens (default 1) from `key`'s bucket if it has them. */
  async take(key: string, cost = 1): Promise<TakeResult> {
    if (!(cost > 0 && cost <= this.capacity)) {
      throw new RangeError(`RedisTokenBucket: cost must be in (0, ${this.capacity}]`);
    }
    const [allowed, remaining, retryAfterMs] = await this.#redis[COMMAND](
      this.#keyPrefix + key,
      this.capacity,
      this.refillPerSecond,
      cost,
    );
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }
}

export interface RateLimitMiddlewareOptions {
  /** Called for every refused request. */
  onLimited?(key: string): void;
  /**
   * Called when Redis failed or was too slow. The request then passes if `failOpen`, else goes
   * to the error handler with `status` 503.
   */
  onError?(error: unknown): void;
  /**
   * Let requests through when Redis fails. Default true: losing the limiter should degrade
   * protection, not take the service down with it.
   */
  failOpen?: boolean;
  /** Longest wait for Redis, in ms, before treating it as failed. Default 250. */
  timeoutMs?: number;
}

/**
 * Express middleware limiting requests per `keyOf(req)` (requests without a key pass). A
 * refused request gets `429`, `Retry-After` in whole seconds and a machine-readable body:
 * `{ error: 'rate_limited', details: [{ path, message }], retryAfterSeconds }`.
 */
export function rateLimitMiddleware(
  limiter: RedisTokenBucket,
  keyOf: (req: Request) => string | undefined,
  opts: RateLimitMiddlewareOptions = {},
): RequestHandler {
  const failOpen = opts.failOpen ?? true;
  const timeoutMs = opts.timeoutMs ?? 250;
  return (req, res, next) => {
    const key = keyOf(req);
    if (key === undefined) {
      next();
      return;
    }
    withTimeout(() => limiter.take(key), timeoutMs)
      .then(
        (result) => {
          res.setHeader('RateLimit-Remaining', String(result.remaining));
          if (result.allowed) {
            next();
            return;
          }
          opts.onLimited?.(key);
          const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
          res.setHeader('Retry-After', String(retryAfterSeconds));
          res.status(429).json({
            error: 'rate_limited',
            details: [
              {
                path: key,
                message: `rate limit of ${limiter.refillPerSecond}/s (burst ${limiter.capacity}) exceeded`,
              },
            ],
            retryAfterSeconds,
          });
        },
        (error: unknown) => {
          opts.onError?.(error);
          if (failOpen) next();
          // 503, not 500: the request was fine, a dependency was not (Express honours `status`).
          else
            next(
              Object.assign(new Error('rate limiter unavailable', { cause: error }), {
                status: 503,
              }),
            );
        },
      )
      .catch(next);
  };
}
