/**
 * The experiment controller as a process (one replica per namespace, in-cluster):
 *   node --import @faultline/kit/telemetry-preload chaos/dist/src/kubernetes/controller-main.js
 * configured by FAULTLINE_CONTROLLER_* (see README-experiments.md). It serves probes and
 * `/metrics`; SIGTERM stops reconciling without recovering (agent faults expire within their
 * TTL; the next controller resumes or recovers what is in flight).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { env, loadConfig } from '@faultline/kit/config';
import { createHttpApp } from '@faultline/kit/http';
import { createLogger, logLevelFromEnv } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { Probes } from '@faultline/kit/probes';
import { serve } from '@faultline/kit/service';
import { Counter } from 'prom-client';
import { z } from 'zod';
import { ExperimentController } from './controller.js';
import { ExperimentResources } from './experiment-resources.js';
import { createKubeApis, kubeConfigForServer } from './kube-apis.js';
import { DEFAULT_AGENT_PORT, KubernetesDriver } from './kubernetes-driver.js';

const config = loadConfig('FAULTLINE_CONTROLLER', {
  /** The one namespace watched (the ServiceAccount's Role is namespaced). */
  NAMESPACE: env.string(),
  /** Bearer token shared by the agents (a mounted Secret). */
  AGENT_TOKEN_FILE: env.string('/var/run/faultline/agent-token/token'),
  AGENT_PORT: env.port(DEFAULT_AGENT_PORT),
  /** Agent faults are renewed this often; their TTL is three times it. */
  RENEW_INTERVAL_MS: env.int(2000, 100, 60_000),
  PROMETHEUS_URL: z.string().url().optional(),
  /** Empty: in-cluster config (the ServiceAccount). Set: that API server (tests, development). */
  API_SERVER: z.string().url().optional(),
  API_TOKEN: z.string().min(1).optional(),
  HOST: env.string('0.0.0.0'),
  PORT: env.port(8080),
});
const logger = createLogger({
  service: 'faultline-controller',
  level: logLevelFromEnv(process.env),
});
const metrics = createMetrics();
const probes = new Probes();
const errors = new Counter({
  name: 'faultline_controller_reconcile_errors_total',
  help: 'Reconciles that failed and were requeued with back-off.',
  registers: [metrics.registry],
});

let kubeConfig: KubeConfig;
if (config.API_SERVER) {
  kubeConfig = kubeConfigForServer(config.API_SERVER, config.API_TOKEN);
} else {
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster();
}
const apis = createKubeApis(kubeConfig);
const controller = new ExperimentController({
  resources: new ExperimentResources(apis),
  driver: new KubernetesDriver({
    apis,
    namespace: config.NAMESPACE,
    agentTokenFile: config.AGENT_TOKEN_FILE,
    defaultAgentPort: config.AGENT_PORT,
    ...(config.PROMETHEUS_URL ? { prometheusUrl: config.PROMETHEUS_URL } : {}),
  }),
  namespace: config.NAMESPACE,
  logger,
  renewIntervalMs: config.RENEW_INTERVAL_MS,
  onReconcileError: () => errors.inc(),
});

const app = createHttpApp({ logger, metrics, probes }, () => {});
await serve({
  app,
  host: config.HOST,
  port: config.PORT,
  probes,
  logger,
  warmUp: () => controller.start(),
  closers: [() => controller.stop()],
});
