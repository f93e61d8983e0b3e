/**
 * Assembly: one pool, picker, retry budget, health checker and discovery per upstream; the
 * L7 proxy and the optional L4 balancer over them; the admin app (probes, /metrics, admin
 * API) on its own port. Built from a parsed config and injected dependencies, so tests can
 * build it in-process as well as run it as a process.
 */
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { createHttpApp } from '@faultline/kit/http';
import type { Logger } from '@faultline/kit/logging';
import type { Metrics } from '@faultline/kit/metrics';
import type { Probes } from '@faultline/kit/probes';
import { breakerMetrics } from '@faultline/kit/resilience-metrics';
import { RetryBudget } from '@faultline/kit/retry';
import { ActiveHealthChecker } from './active-health.js';
import { registerAdminRoutes, requireToken } from './admin.js';
import { gatewayAdminApi } from './admin-openapi.js';
import { BackendPool } from './backend-pool.js';
import type { GatewayConfig } from './config.js';
import { createDiscovery } from './discovery/create-discovery.js';
import type { Discovery } from './discovery/discovery.js';
import { registerGatewayMetrics } from './gateway-metrics.js';
import { hashKeyExtractor } from './hash-key.js';
import { createProxyServer, type Upstream } from './http-proxy.js';
import { createPicker, type PickerOptions } from './pickers/create-picker.js';
import { seededRandom } from '@faultline/kit/seeded-random';
import { StickySessions } from './sticky-sessions.js';
import { TcpBalancer } from './tcp-balancer.js';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  metrics: Metrics;
  probes: Probes;
  /** For EndpointSlice discovery; default in-cluster or ~/.kube/config. */
  kubeConfig?: KubeConfig;
}

export interface Gateway {
  readonly upstreams: readonly Upstream[];
  readonly proxyServer: Server;
  readonly tcpBalancer: TcpBalancer | undefined;
  readonly adminApp: Express;
  /** Starts discovery (first snapshot awaited) and active health checks. */
  start(): Promise<void>;
  /** Stops discovery and checks, then closes pooled connections (after servers closed). */
  stop(): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, logger, metrics, probes } = deps;
  const pickerOptions: PickerOptions =
    config.SEED === undefined ? {} : { random: seededRandom(config.SEED) };
  // The kit types these registries by content type; the metrics code is the same for both.
  const registry = metrics.registry as unknown as Registry;
  const breakers = breakerMetrics(registry);
  const parts: { upstream: Upstream; discovery: Discovery; health: ActiveHealthChecker }[] = [];

  for (const spec of config.UPSTREAMS) {
    const log = logger.child({ upstream: spec.name });
    const pool = new BackendPool({
      upstream: spec.name,
      maxSocketsPerBackend: config.MAX_SOCKETS_PER_BACKEND,
      breakerFailures: config.BREAKER_FAILURES,
      breakerOpenMs: config.BREAKER_OPEN_MS,
      outlier: {
        consecutiveFailures: config.OUTLIER_CONSECUTIVE_FAILURES,
        baseEjectionMs: config.OUTLIER_BASE_EJECTION_MS,
        maxEjectionMs: config.OUTLIER_MAX_EJECTION_MS,
        maxEjectedPercent: config.OUTLIER_MAX_EJECTED_PERCENT,
      },
      breakerHooks: (name) => breakers.hooksFor(`gateway:${name}`),
      events: {
        onEject: (b, ms) =>
          log.warn({ backend: b.id, ms, failures: b.lastEjectionFailures }, 'backend ejected'),
        onReturn: (b) => log.info({ backend: b.id }, 'backend back from ejection'),
        onBreakerChange: (b, from, to) =>
          log.warn({ backend: b.id, from, to }, 'breaker state changed'),
        onAdded: (b) => log.info({ backend: b.id }, 'backend added'),
        onRemoved: (b) => log.info({ backend: b.id }, 'backend removed (drained)'),
      },
    });
    const upstream: Upstream = {
      name: spec.name,
      prefix: spec.prefix,
      pool,
      picker: createPicker(spec.picker, pickerOptions),
      hashKey: hashKeyExtractor(spec.hashOn),
      sticky: spec.sticky ? new StickySessions(spec.sticky) : undefined,
      budget: new RetryBudget({
        ratio: config.RETRY_BUDGET_RATIO,
        minRetriesPerSecond: config.RETRY_MIN_PER_SEC,
      }),
    };
    const health = new ActiveHealthChecker(pool, {
      intervalMs: config.HEALTH_INTERVAL_MS,
      timeoutMs: config.HEALTH_TIMEOUT_MS,
      path: config.HEALTH_PATH,
      healthyThreshold: config.HEALTHY_THRESHOLD,
      unhealthyThreshold: config.UNHEALTHY_THRESHOLD,
      onChange: (b, healthy, reason) =>
        log.warn({ backend: b.id, healthy, reason }, 'active health changed'),
    });
    const discovery = createDiscovery(spec.discovery, log, deps.kubeConfig);
    parts.push({ upstream, discovery, health });
  }
  const upstreams = parts.map((p) => p.upstream);
  registerGatewayMetrics(registry, () => upstreams);

  const proxyServer = createProxyServer({
    upstreams,
    perTryTimeoutMs: config.PER_TRY_TIMEOUT_MS,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    maxAttempts: config.MAX_ATTEMPTS,
    retryNeverSent: config.RETRY_NEVER_SENT,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxHeaderBytes: config.MAX_HEADER_BYTES,
    metrics,
    logger,
  });
  const tcpUpstream = upstreams.find((u) => u.name === config.TCP_UPSTREAM);
  const tcpBalancer = tcpUpstream
    ? new TcpBalancer({
        pool: tcpUpstream.pool,
        picker: config.TCP_PICKER,
        logger: logger.child({ l4: tcpUpstream.name }),
      })
    : undefined;

  let discovered = false;
  probes.addCheck('discovery', () =>
    discovered
      ? Promise.resolve()
      : Promise.reject(new Error('first discovery snapshot not received yet')),
  );
  const adminApp = createHttpApp(
    {
      logger,
      metrics,
      probes,
      bodyLimit: '4kb',
      api: gatewayAdminApi,
      auth: requireToken(config.ADMIN_TOKEN),
    },
    (router) => registerAdminRoutes(router, { upstreams, pickerOptions }),
  );

  return {
    upstreams,
    proxyServer,
    tcpBalancer,
    adminApp,
    async start() {
      await Promise.all(
        parts.map(async ({ upstream, discovery, health }) => {
          await discovery.start((endpoints) => {
            upstream.pool.update(endpoints);
            logger.debug({ upstream: upstream.name, endpoints }, 'discovery update');
          });
          health.start();
          logger.info(
            { upstream: upstream.name, discovery: discovery.description },
            'discovery started',
          );
        }),
      );
      discovered = true;
    },
    async stop() {
      for (const { discovery, health, upstream } of parts) {
        health.stop();
        await discovery.stop();
        upstream.pool.close();
      }
      await tcpBalancer?.close();
    },
  };
}
