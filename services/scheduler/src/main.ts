/**
 * The scheduler process: replicas campaign in etcd; the leader appends a fenced record to
 * the job log every tick. Run: `node --import @faultline/kit/telemetry-preload main.js`.
 */
import { trace } from '@opentelemetry/api';
import type { Etcd3 } from 'etcd3';
import { loadConfig } from '@faultline/kit/config';
import { createLogger, logLevelFromEnv } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { PodRoleLabel } from '@faultline/kit/pod-role-label';
import { Probes } from '@faultline/kit/probes';
import { serve } from '@faultline/kit/service';
import { configProblems, resolveSchedulerConfig, schedulerConfigShape } from './config.js';
import { createEtcdClient } from './etcd-client.js';
import { FailoverGapMeter } from './failover-gap.js';
import { FencedJobLog } from './fenced-job-log.js';
import { JobLogFreshness, staleAfterMsFor } from './job-log-freshness.js';
import { JobRunner } from './job-runner.js';
import { LeaderElector } from './leader-elector.js';
import { LeaderView } from './leader-view.js';
import { createSchedulerApp } from './scheduler-app.js';
import { createSchedulerMetrics } from './scheduler-metrics.js';

const config = resolveSchedulerConfig(
  loadConfig('SCHEDULER', schedulerConfigShape, configProblems),
);
const logger = createLogger({
  service: 'scheduler',
  instance: config.instance,
  level: logLevelFromEnv(process.env),
});
const metrics = createMetrics();
const schedulerMetrics = createSchedulerMetrics(metrics);
const probes = new Probes();
const tracer = trace.getTracer('@faultline/scheduler');
const callTimeoutMs = config.leaseTtlS * 1000;

const client: Etcd3 = createEtcdClient(config.etcdEndpoints, callTimeoutMs);
// Readiness = etcd answers a (linearizable) read; leadership does not matter.
probes.addCheck('etcd', async () => {
  await client
    .get('scheduler/readiness-probe')
    .options({ deadline: Date.now() + 900 })
    .exec();
});

const jobLog = new FencedJobLog(client, config.election);
const elector = new LeaderElector({
  client,
  election: config.election,
  instance: config.instance,
  ttlS: config.leaseTtlS,
  keepAliveMs: config.keepAliveMs,
  marginMs: config.stepDownMarginMs,
  leaseGuard: config.leaseGuard,
  logger,
  metrics: schedulerMetrics,
  tracer,
  callTimeoutMs,
});
const view = new LeaderView(client, elector.election, {
  logger,
  metrics: schedulerMetrics,
  callTimeoutMs,
});
const runner = new JobRunner({
  elector,
  jobLog,
  tickMs: config.tickMs,
  logger,
  metrics: schedulerMetrics,
  tracer,
});
// Its own client: the job-log watch then has a gRPC stream of its own, apart from the election
// observer's watchers, which come and go with every leader change.
const gapClient = createEtcdClient(config.etcdEndpoints, callTimeoutMs);
const gaps = new FailoverGapMeter(gapClient, jobLog.prefix, {
  instance: config.instance,
  logger,
  metrics: schedulerMetrics,
  callTimeoutMs,
});
const freshness = new JobLogFreshness({
  lastRecordSeenAt: () => gaps.lastRecordSeenAt,
  intervalMs: config.tickMs,
  staleAfterMs: staleAfterMsFor(config.tickMs),
  metrics: schedulerMetrics,
});
const refreshView = () => void view.refresh().catch(() => undefined);
elector.on({ onElected: refreshView, onSteppedDown: refreshView });
// In Kubernetes the pod carries its role, so "kill the leader" is found from the API.
const roleLabel = PodRoleLabel.fromEnv(process.env, logger);
if (roleLabel) {
  roleLabel.set('follower');
  elector.on({
    onElected: () => roleLabel.set('leader'),
    onSteppedDown: () => roleLabel.set('follower'),
  });
}

const app = createSchedulerApp({
  logger,
  metrics,
  probes,
  instance: config.instance,
  elector,
  view,
  jobLog,
});

logger.info(
  {
    etcd: config.etcdEndpoints,
    ttlS: config.leaseTtlS,
    keepAliveMs: config.keepAliveMs,
    marginMs: config.stepDownMarginMs,
    tickMs: config.tickMs,
    leaseGuard: config.leaseGuard,
  },
  'scheduler starting',
);
view.start();
const gapWatch = gaps.start();
freshness.start();
elector.start();
runner.start();

await serve({
  app,
  port: config.port,
  host: config.host,
  probes,
  logger,
  drainDelayMs: config.drainMs,
  timeoutMs: config.shutdownTimeoutMs,
  // Report started once the job log's newest record is read and its watch is live (bounded):
  // the gap of a failover right after start needs the last record of the previous term.
  warmUp: () =>
    Promise.race([gapWatch, new Promise<void>((resolve) => setTimeout(resolve, callTimeoutMs))]),
  // Resign first: a follower takes over now, not a TTL later.
  onShutdownStart: async () => {
    runner.stop();
    await elector.resign();
  },
  closers: [
    () => roleLabel?.stop(),
    () => view.stop(),
    () => freshness.stop(),
    () => gaps.stop(),
    () => client.close(),
    () => gapClient.close(),
  ],
});
