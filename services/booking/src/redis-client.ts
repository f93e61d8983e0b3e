/**
 * The Redis client, set up to fail fast: with Redis gone a request gets a 503 in milliseconds
 * instead of queueing behind a dead connection. Reconnection continues in the background.
 */
import { Redis } from 'ioredis';
import type { Logger } from '@faultline/kit/logging';

export interface RedisClientOptions {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  logger: Logger;
}

export function createRedisClient(o: RedisClientOptions): Redis {
  const redis = new Redis(o.url, {
    // No queue while disconnected: a command fails at once rather than waiting for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: o.connectTimeoutMs,
    commandTimeout: o.commandTimeoutMs,
    // A write whose reply was lost is reported as failed, never silently sent again.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
  let up = false;
  redis.on('ready', () => {
    up = true;
    o.logger.info({ url: o.url }, 'redis connected');
  });
  // Without an 'error' listener ioredis would crash the process; log once per outage.
  redis.on('error', (err: Error) => {
    if (up) o.logger.warn({ err: err.message }, 'redis connection error');
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
