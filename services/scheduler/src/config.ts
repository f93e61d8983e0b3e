/**
 * The scheduler's configuration: `SCHEDULER_*` variables, parsed once at start. Cross-field
 * rules (the keep-alive must fit inside the lease TTL, a tick must be positive) are checked
 * here too, so a bad combination fails at start with a message naming the variables.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { env, parseConfig } from '@faultline/kit/config';

/** The raw `SCHEDULER_*` schema (keys without the prefix). */
export const schedulerConfigShape = {
  PORT: env.port(8080),
  /** Listen address: loopback by default; `0.0.0.0` in a pod, where probes and scrapes come to the pod IP. */
  HOST: env.string('127.0.0.1'),
  /** etcd client URLs, comma-separated. */
  ETCD_ENDPOINTS: env.list(['http://127.0.0.1:2379']),
  /** Lease TTL in whole seconds (etcd leases have a 1 s granularity). */
  LEASE_TTL_S: env.int(3, 1, 3600),
  /** Keep-alive interval; default TTL/3 (the Go client's choice). */
  KEEPALIVE_MS: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected an integer >= 1' })
    .optional(),
  /** How long before the lease could expire the leader stops acting; default TTL/6. */
  STEP_DOWN_MARGIN_MS: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(0, { message: 'expected an integer >= 0' })
    .optional(),
  TICK_MS: env.int(1000, 0),
  /** Replica name, announced as the campaign value; default host-pid. */
  INSTANCE: env.string(`${hostname()}-${process.pid}`),
  /** Election (and job log) name: replicas with the same name compete. */
  ELECTION: env.string('faultline-scheduler'),
  /**
   * Demo switch: `off` disables the local lease guard, leaving only the etcd fence, so a
   * resumed stale leader really sends its pending write and the fence is seen rejecting it.
   */
  LEASE_GUARD: env.bool(true),
  DRAIN_MS: env.int(0),
  SHUTDOWN_TIMEOUT_MS: env.int(5000, 1),
};

type RawConfig = z.infer<z.ZodObject<typeof schedulerConfigShape>>;

/** The resolved settings the scheduler runs with (defaults that depend on the TTL filled in). */
export interface SchedulerConfig {
  port: number;
  host: string;
  etcdEndpoints: string[];
  leaseTtlS: number;
  keepAliveMs: number;
  stepDownMarginMs: number;
  tickMs: number;
  instance: string;
  election: string;
  leaseGuard: boolean;
  drainMs: number;
  shutdownTimeoutMs: number;
}

function resolve(raw: RawConfig): SchedulerConfig {
  const ttlMs = raw.LEASE_TTL_S * 1000;
  return {
    port: raw.PORT,
    host: raw.HOST,
    etcdEndpoints: raw.ETCD_ENDPOINTS,
    leaseTtlS: raw.LEASE_TTL_S,
    keepAliveMs: raw.KEEPALIVE_MS ?? Math.floor(ttlMs / 3),
    stepDownMarginMs: raw.STEP_DOWN_MARGIN_MS ?? Math.floor(ttlMs / 6),
    tickMs: raw.TICK_MS,
    instance: raw.INSTANCE,
    election: raw.ELECTION,
    leaseGuard: raw.LEASE_GUARD,
    drainMs: raw.DRAIN_MS,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
  };
}

/** Cross-field rules; each problem names the variables involved. */
export function configProblems(raw: RawConfig): string[] {
  const c = resolve(raw);
  const ttlMs = c.leaseTtlS * 1000;
  const problems: string[] = [];
  if (c.etcdEndpoints.length === 0) {
    problems.push('SCHEDULER_ETCD_ENDPOINTS: at least one etcd endpoint is required');
  }
  if (c.keepAliveMs >= ttlMs) {
    problems.push(
      `SCHEDULER_KEEPALIVE_MS (${c.keepAliveMs}) must be less than SCHEDULER_LEASE_TTL_S (${c.leaseTtlS} s = ${ttlMs} ms): a lease renewed no more often than it expires is lost between renewals`,
    );
  } else if (c.keepAliveMs + c.stepDownMarginMs >= ttlMs) {
    problems.push(
      `SCHEDULER_KEEPALIVE_MS (${c.keepAliveMs}) + SCHEDULER_STEP_DOWN_MARGIN_MS (${c.stepDownMarginMs}) must be less than the lease TTL (${ttlMs} ms), or the leader steps down between two healthy renewals`,
    );
  }
  if (c.tickMs === 0) {
    problems.push('SCHEDULER_TICK_MS must be > 0: a zero tick would run the job in a busy loop');
  }
  return problems;
}

/** Parses `env` (throws a ConfigError listing every problem). */
export function parseSchedulerConfig(source: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  return resolve(parseConfig('SCHEDULER', schedulerConfigShape, source, configProblems));
}

export { resolve as resolveSchedulerConfig };
