/**
 * Redis availability as the HTTP layer sees it: calls go through a circuit breaker, and any
 * failure to reach Redis (refused, timed out, connection lost, breaker open) becomes one
 * error type that the routes answer with 503 and `Retry-After`. A Lua or protocol error
 * (`ReplyError`) is a bug, not an outage: it is not counted against Redis.
 */
import type { CircuitBreaker } from '@faultline/kit/breaker';
import { isBrokenCircuitError } from '@faultline/kit/breaker';

/** Redis could not be used; answer 503 and retry after `retryAfterMs`. */
export class RedisUnavailableError extends Error {
  readonly isRedisUnavailableError = true;
  override readonly name = 'RedisUnavailableError';

  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Brand guard: works across copies of this module, where `instanceof` does not. */
export function isRedisUnavailableError(e: unknown): e is RedisUnavailableError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isRedisUnavailableError?: unknown }).isRedisUnavailableError === true
  );
}

/** True for errors that say Redis is unreachable or too slow, not that a command was wrong. */
export function isRedisOutage(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const name = (e as { name?: unknown }).name;
  return name !== 'ReplyError';
}

/** Runs Redis calls through `breaker`, turning outages into {@link RedisUnavailableError}. */
export class GuardedRedis {
  constructor(
    readonly breaker: CircuitBreaker,
    /** Retry-After when Redis failed but the breaker is still closed, ms. */
    private readonly retryAfterMs = 1000,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.execute(fn);
    } catch (e) {
      if (isBrokenCircuitError(e)) {
        throw new RedisUnavailableError('redis circuit is open', Math.max(1000, e.retryAfterMs), {
          cause: e,
        });
      }
      if (isRedisOutage(e)) {
        const message = e instanceof Error ? e.message : String(e);
        throw new RedisUnavailableError(`redis unavailable: ${message}`, this.retryAfterMs, {
          cause: e,
        });
      }
      throw e;
    }
  }
}
