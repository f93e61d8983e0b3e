/** Shared by the booking integration tests: the service as a process or in-process, HTTP, Redis. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createLogger } from '@faultline/kit/logging';
import { createMetrics, type Metrics } from '@faultline/kit/metrics';
import { Probes } from '@faultline/kit/probes';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { createBookingApp, type BookingApp } from '../src/app.js';
import { parseBookingConfig } from '../src/config.js';
import { createRedisClient, whenRedisReady } from '../src/redis-client.js';

/** The compiled service entry. */
export const BOOKING_ENTRY = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** A booking process on a free port against `redisUrl`; resolves once `/readyz` is 200. */
export function startBooking(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<NodeService> {
  return startNodeService({
    entry: BOOKING_ENTRY,
    prefix: 'BOOKING',
    noTelemetry: env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined,
    env: {
      BOOKING_REDIS_URL: redisUrl,
      BOOKING_DRAIN_MS: '0',
      BOOKING_SHUTDOWN_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
}

export interface InProcessBooking extends BookingApp {
  url: string;
  redis: Redis;
  metrics: Metrics;
  close(): Promise<void>;
}

/** The app built in this process (fast, for input and API tests), against real Redis. */
export async function startInProcess(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<InProcessBooking> {
  const config = parseBookingConfig({ BOOKING_REDIS_URL: redisUrl, ...env });
  const logger = createLogger({ service: 'booking-test', level: 'silent' });
  const metrics = createMetrics({ runtime: false });
  const probes = new Probes();
  const redis = createRedisClient(config, logger);
  await whenRedisReady(redis, 5000);
  const built = createBookingApp({ config, redis, logger, metrics, probes });
  probes.markStarted();
  const server: Server = built.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...built,
    url,
    redis,
    metrics,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      redis.disconnect();
    },
  };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** One HTTP call with a JSON body (or raw text when `raw`); the body is parsed when JSON. */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  raw = false,
): Promise<Answer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: raw ? (body as string) : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text, the assertion will show it
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** A plain client for inspecting Redis from the test itself. */
export async function inspector(redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/** Scrapes `/metrics` as text. */
export async function scrape(base: string): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}
