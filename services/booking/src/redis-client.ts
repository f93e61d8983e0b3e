/**
 * The Redis client, set up to fail fast: with Redis gone a request gets a 503 in milliseconds
 * instead of queueing behind a dead connection. Reconnection continues in the background.
 */
import { Redis } from 'ioredis';
import type { Logger } from '@faultline/kit/logging';
import type { BookingConfig } from './config.js';

export type RedisClientConfig = Pick<
  BookingConfig,
  'REDIS_URL' | 'REDIS_CONNECT_TIMEOUT_MS' | 'REDIS_COMMAND_TIMEOUT_MS'
>;

export function createRedisClient(config: RedisClientConfig, logger: Logger): Redis {
  const redis = new Redis(config.REDIS_URL, {
    // No queue while disconnected: a command fails at once rather than waiting for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: config.REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    // A write whose reply was lost is reported as failed, never silently sent again.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
  let up = false;
  redis.on('ready', () => {
    up = true;
    logger.info({ url: config.REDIS_URL }, 'redis connected');
  });
  // Without an 'error' listener ioredis would crash the process; log once per outage.
  redis.on('error', (err: Error) => {
    if (up) logger.warn({ err: err.message }, 'redis connection error');
    up = false;
  });
  return redis;
}

/** Resolves once the client is connected, or after `timeoutMs` (readiness reports the rest). */
export async function whenRedisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}
