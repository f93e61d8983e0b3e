/**
 * The booking service process: `node --import @faultline/kit/telemetry-preload
 * services/booking/dist/src/main.js`. Configuration comes from `BOOKING_*` (see config.ts).
 */
import { loadConfig } from '@faultline/kit/config';
import { recordHttpClientMetrics } from '@faultline/kit/client-metrics';
import { createLogger, logLevelFromEnv } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { Probes } from '@faultline/kit/probes';
import { serve } from '@faultline/kit/service';
import { createBookingApp } from './app.js';
import { configShape, refineConfig } from './config.js';
import { createRedisClient, whenRedisReady } from './redis-client.js';

const config = loadConfig('BOOKING', configShape, refineConfig);
const logger = createLogger({
  service: 'booking',
  instance: config.INSTANCE,
  level: logLevelFromEnv(process.env),
});
const metrics = createMetrics();
recordHttpClientMetrics(metrics);
const probes = new Probes();
const redis = createRedisClient(config, logger);
const { app } = createBookingApp({ config, redis, logger, metrics, probes });
logger.info(
  {
    fencing: config.FENCING,
    lockTtlMs: config.LOCK_TTL_MS,
    sessionStore: config.SESSION_STORE,
    testStallMs: config.TEST_STALL_MS,
  },
  config.FENCING ? 'booking starting' : 'booking starting WITH FENCING OFF (negative control)',
);

await serve({
  app,
  port: config.PORT,
  host: config.HOST,
  probes,
  logger,
  drainDelayMs: config.DRAIN_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  // Start serving even if Redis is late: readiness says so, and liveness must not depend on it.
  warmUp: async () => {
    await whenRedisReady(redis, config.REDIS_CONNECT_TIMEOUT_MS);
  },
  closers: [
    async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  ],
});
