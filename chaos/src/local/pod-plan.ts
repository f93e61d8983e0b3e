/**
 * What the local platform runs: every "pod" with a stable name, labels, command, env, ports
 * and readiness check, in dependency stages. Pure data from the config — the supervisor
 * executes it, `faultline status` reports it, tests assert on it.
 */
import { join, resolve } from 'node:path';
import { generatedRulesGlob } from '@faultline/slos/paths';
import type { PlaygroundConfig } from './playground-config.js';

export interface PodSpec {
  /** Stable identity: `redis`, `etcd-1`, `booking-0` ... */
  name: string;
  /** The service it is a replica of (`booking`, `etcd` ...). */
  service: string;
  labels: Record<string, string>;
  /** Start-up stage: a stage starts when every pod of the previous ones is ready. */
  stage: number;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Main port (the one traffic uses). */
  port: number;
  /** Extra listening ports that must be free (admin, peer). */
  otherPorts: number[];
  /** Ready when this URL answers 2xx, or (no URL) when the port accepts connections. */
  readyUrl?: string;
  metricsUrl?: string;
  /** Debian package that provides `command`, for a clear error when it is missing. */
  package?: string;
  /** Restarted with back-off when it exits (all pods are, like a Deployment/StatefulSet). */
  restart: boolean;
  /**
   * The pod's faultline agent: proxy links between the app and its dependencies (and one in
   * front of the app). Env values may say `{{link:NAME}}`: the link's listen port.
   */
  agentLinks?: AgentLinkSpec[];
  /** Which link the gateway's discovery publishes instead of `port` (traffic enters there). */
  servedVia?: string;
  /** Files (absolute path → content) the supervisor writes before the first start. */
  files?: Record<string, string>;
}

export interface AgentLinkSpec {
  name: string;
  target: string;
  protocol: 'tcp' | 'http';
  kind: 'outbound' | 'inbound';
}

export interface Plan {
  stateDir: string;
  pods: PodSpec[];
  /** Per-upstream discovery files the supervisor keeps up to date for the gateway. */
  discoveryFiles: Record<string, string>;
  prometheusConfigFile: string;
  urls: { gateway: string; gatewayAdmin: string; prometheus: string };
  gatewayAdminToken: string;
}

export interface PlanInputs {
  config: PlaygroundConfig;
  /** Repository root (where services/ lives). */
  root: string;
  /** Node binary for the services (the one running the CLI). */
  node: string;
  gatewayAdminToken: string;
  /** OTLP endpoint for traces, when tracing is on. */
  otlpEndpoint: string | undefined;
}

const LOOPBACK = '127.0.0.1';

/**
 * The command line (after `node`) of a Node service's pods, as the local platform starts them;
 * benchmarks start the same. The first flag sizes the young generation (semi-space; V8's default is 16 MiB).
 * 2 MiB keeps an idle service ~20 MiB smaller, which holds the playground under its memory
 * budget (`make bench BENCH=local`); scavenges stay cheap at the services' load. The gateway,
 * one process carrying every request, gets 8: at 2 MiB it scavenged ~30 times as often under
 * load (2,451 pauses, 659 ms, against 85 and 81 ms at 16, in the gateway bench's paced runs)
 * and kept 0.92 of a minimal undici proxy's throughput against 0.94–1.01 at 8 (issue 16), for
 * ~11 MiB more resident.
 */
export function serviceNodeArgs(root: string, svc: string): string[] {
  return [
    `--max-semi-space-size=${svc === 'gateway' ? 8 : 2}`,
    '--import',
    '@faultline/kit/telemetry-preload',
    join(root, 'services', svc, 'dist', 'src', 'main.js'),
  ];
}

export function buildPlan(inp: PlanInputs): Plan {
  const c = inp.config;
  const stateDir = resolve(inp.root, c.stateDir);
  const data = (name: string) => join(stateDir, 'data', name);
  const pods: PodSpec[] = [];
  const tracing: Record<string, string> = inp.otlpEndpoint
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: inp.otlpEndpoint }
    : { OTEL_EXPORTER_OTLP_ENDPOINT: '' };
  // Unset = the kit's default (0.1) or the caller's OTEL_TRACES_SAMPLER_ARG; tests set 1.
  if (c.tracing.samplingRatio !== undefined)
    tracing.OTEL_TRACES_SAMPLER_ARG = String(c.tracing.samplingRatio);

  pods.push({
    name: 'redis',
    service: 'redis',
    labels: { app: 'redis', tier: 'infra' },
    stage: 0,
    command: 'redis-server',
    args: [
      '--port',
      String(c.ports.redis),
      '--bind',
      LOOPBACK,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      data('redis'),
    ],
    env: {},
    port: c.ports.redis,
    otherPorts: [],
    package: 'redis-server',
    restart: true,
  });

  const etcdMembers = Array.from({ length: c.etcdMembers }, (_, i) => ({
    name: `etcd-${i}`,
    client: c.ports.etcdBase + i,
    peer: c.ports.etcdBase + 100 + i,
  }));
  const initialCluster = etcdMembers.map((m) => `${m.name}=http://${LOOPBACK}:${m.peer}`).join(',');
  for (const [i, m] of etcdMembers.entries()) {
    const clientUrl = `http://${LOOPBACK}:${m.client}`;
    pods.push({
      name: m.name,
      service: 'etcd',
      // Opted in to chaos: locally a member has no agent of its own, so a partition of it is
      // made at every agent link that leads to it (see chaos/src/local/local-driver.ts). The
      // ordinal also as the StatefulSet's label, so an experiment aimed at one member means
      // the same pod on kind (the chart's etcd is a StatefulSet).
      labels: {
        app: 'etcd',
        tier: 'infra',
        member: String(i),
        'apps.kubernetes.io/pod-index': String(i),
        'chaos.faultline.dev/enabled': 'true',
      },
      stage: 0,
      command: 'etcd',
      args: [
        '--name',
        m.name,
        '--data-dir',
        data(m.name),
        '--listen-client-urls',
        clientUrl,
        '--advertise-client-urls',
        clientUrl,
        '--listen-peer-urls',
        `http://${LOOPBACK}:${m.peer}`,
        '--initial-advertise-peer-urls',
        `http://${LOOPBACK}:${m.peer}`,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-token',
        'faultline-local',
        '--initial-cluster-state',
        'new',
        '--heartbeat-interval',
        '100',
        '--election-timeout',
        '1000',
        '--log-level',
        'warn',
        '--listen-metrics-urls',
        `http://${LOOPBACK}:${m.client + 200}`,
      ],
      env: {},
      port: m.client,
      otherPorts: [m.peer, m.client + 200],
      // etcd answers /health once the member has a leader, which needs a quorum: the
      // members start together and become ready together.
      readyUrl: `${clientUrl}/health`,
      metricsUrl: `http://${LOOPBACK}:${m.client + 200}/metrics`,
      package: 'etcd-server',
      restart: true,
    });
  }

  const prometheusConfigFile = join(stateDir, 'prometheus.yml');
  pods.push({
    name: 'prometheus',
    service: 'prometheus',
    labels: { app: 'prometheus', tier: 'observability' },
    stage: 0,
    command: 'prometheus',
    args: [
      `--config.file=${prometheusConfigFile}`,
      `--storage.tsdb.path=${data('prometheus')}`,
      `--web.listen-address=${LOOPBACK}:${c.ports.prometheus}`,
      '--web.enable-remote-write-receiver',
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    env: {},
    port: c.ports.prometheus,
    otherPorts: [],
    readyUrl: `http://${LOOPBACK}:${c.ports.prometheus}/-/ready`,
    metricsUrl: `http://${LOOPBACK}:${c.ports.prometheus}/metrics`,
    package: 'prometheus',
    restart: true,
  });

  const nodeArgs = (svc: string) => serviceNodeArgs(inp.root, svc);
  /** A chaos-enabled app replica: traffic enters through its agent's `inbound` link. */
  const appReplica = (
    svc: 'booking' | 'scheduler',
    i: number,
    port: number,
    env: Record<string, string>,
    outbound: AgentLinkSpec[],
  ): PodSpec => ({
    name: `${svc}-${i}`,
    service: svc,
    // The ordinal twice: `replica` (the local name) and the label a Kubernetes StatefulSet puts
    // on its pods, so an experiment aimed at one replica means the same pod on kind too.
    labels: {
      app: svc,
      tier: 'app',
      replica: String(i),
      'apps.kubernetes.io/pod-index': String(i),
      'chaos.faultline.dev/enabled': 'true',
    },
    stage: 1,
    command: inp.node,
    args: nodeArgs(svc),
    env: { ...tracing, OTEL_SERVICE_NAME: svc, FAULTLINE_INSTANCE: `${svc}-${i}`, ...env },
    port,
    otherPorts: [],
    readyUrl: `http://${LOOPBACK}:${port}/readyz`,
    metricsUrl: `http://${LOOPBACK}:${port}/metrics`,
    restart: true,
    agentLinks: [
      ...outbound,
      // Gateway traffic enters through the agent (http faults); probes go to the app directly.
      { name: 'inbound', target: `${LOOPBACK}:${port}`, protocol: 'http', kind: 'inbound' },
    ],
    servedVia: 'inbound',
  });
  const outboundLink = (name: string, port: number): AgentLinkSpec => ({
    name,
    target: `${LOOPBACK}:${port}`,
    protocol: 'tcp',
    kind: 'outbound',
  });
  for (let i = 0; i < c.replicas.booking; i++) {
    const port = c.ports.bookingBase + i;
    pods.push(
      appReplica(
        'booking',
        i,
        port,
        {
          BOOKING_PORT: String(port),
          BOOKING_INSTANCE: `booking-${i}`,
          BOOKING_REDIS_URL: `redis://${LOOPBACK}:{{link:redis}}`,
          BOOKING_DRAIN_MS: '500',
        },
        [outboundLink('redis', c.ports.redis)],
      ),
    );
  }
  for (let i = 0; i < c.replicas.scheduler; i++) {
    const port = c.ports.schedulerBase + i;
    pods.push(
      appReplica(
        'scheduler',
        i,
        port,
        {
          SCHEDULER_PORT: String(port),
          SCHEDULER_INSTANCE: `scheduler-${i}`,
          SCHEDULER_ETCD_ENDPOINTS: etcdMembers
            .map((m) => `http://${LOOPBACK}:{{link:${m.name}}}`)
            .join(','),
          SCHEDULER_LEASE_TTL_S: String(c.scheduler.leaseTtlSeconds),
          SCHEDULER_TICK_MS: String(c.scheduler.tickMs),
        },
        etcdMembers.map((m) => outboundLink(m.name, m.client)),
      ),
    );
  }

  const discoveryFiles = {
    booking: join(stateDir, 'discovery', 'booking.json'),
    scheduler: join(stateDir, 'discovery', 'scheduler.json'),
  };
  const local = (source: string) => ({ kind: 'local', source, intervalMs: 250 });
  const upstreams = [
    {
      name: 'scheduler',
      prefix: '/leader',
      picker: 'round-robin',
      discovery: local(discoveryFiles.scheduler),
    },
    {
      name: 'scheduler-jobs',
      prefix: '/jobs',
      picker: 'round-robin',
      discovery: local(discoveryFiles.scheduler),
    },
    {
      name: 'booking',
      prefix: '/',
      picker: 'least-request',
      sticky: { cookie: 'faultline_gw', ttlSec: 3600 },
      discovery: local(discoveryFiles.booking),
    },
  ];
  pods.push({
    name: 'gateway-0',
    service: 'gateway',
    labels: { app: 'gateway', tier: 'edge', replica: '0' },
    stage: 2,
    command: inp.node,
    args: nodeArgs('gateway'),
    env: {
      ...tracing,
      OTEL_SERVICE_NAME: 'gateway',
      // The gateway makes its own span per proxied request and injects the trace context;
      // the generic outgoing http and undici instrumentations would only double the cost.
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,undici',
      FAULTLINE_INSTANCE: 'gateway-0',
      GATEWAY_PORT: String(c.ports.gateway),
      GATEWAY_ADMIN_PORT: String(c.ports.gatewayAdmin),
      GATEWAY_ADMIN_TOKEN: inp.gatewayAdminToken,
      GATEWAY_UPSTREAMS: JSON.stringify(upstreams),
      GATEWAY_INSTANCE: 'gateway-0',
      GATEWAY_DRAIN_MS: '500',
    },
    port: c.ports.gateway,
    otherPorts: [c.ports.gatewayAdmin],
    readyUrl: `http://${LOOPBACK}:${c.ports.gatewayAdmin}/readyz`,
    metricsUrl: `http://${LOOPBACK}:${c.ports.gatewayAdmin}/metrics`,
    restart: true,
  });

  return {
    stateDir,
    pods,
    discoveryFiles,
    prometheusConfigFile,
    urls: {
      gateway: `http://${LOOPBACK}:${c.ports.gateway}`,
      gatewayAdmin: `http://${LOOPBACK}:${c.ports.gatewayAdmin}`,
      prometheus: `http://${LOOPBACK}:${c.ports.prometheus}`,
    },
    gatewayAdminToken: inp.gatewayAdminToken,
  };
}

/** `{{link:NAME}}` in env values → the link's listen port. */
export function resolveLinkPorts(
  env: Record<string, string>,
  ports: Record<string, number>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/\{\{link:([a-z0-9._-]+)\}\}/g, (_, name: string) => {
        const port = ports[name];
        if (port === undefined) throw new Error(`${k} refers to unknown link ${name}`);
        return String(port);
      }),
    ]),
  );
}

/**
 * Prometheus scrape config for every pod that has metrics, and every pod's agent
 * (`agents`: pod name → admin host:port); JSON is valid YAML.
 */
export function prometheusConfig(
  plan: Plan,
  agents: Record<string, string> = {},
  scrapeIntervalSeconds = 2,
): string {
  const byService = new Map<string, PodSpec[]>();
  for (const p of plan.pods)
    if (p.metricsUrl) byService.set(p.service, [...(byService.get(p.service) ?? []), p]);
  const jobs = [...byService].map(([svc, pods]) => ({
    job_name: svc,
    metrics_path: new URL(pods[0]!.metricsUrl!).pathname,
    static_configs: pods.map((p) => ({
      targets: [new URL(p.metricsUrl!).host],
      labels: {
        pod: p.name,
        ...Object.fromEntries(Object.entries(p.labels).filter(([k]) => /^[a-z_]+$/.test(k))),
      },
    })),
  }));
  if (Object.keys(agents).length > 0) {
    jobs.push({
      job_name: 'faultline-agent',
      metrics_path: '/metrics',
      static_configs: Object.entries(agents).map(([pod, hostPort]) => ({
        targets: [hostPort],
        labels: { pod, app: 'faultline-agent' },
      })),
    });
  }
  // A running chaos engine serves faultline_experiment_* metrics on an ephemeral port and
  // drops `<stateDir>/prometheus/chaos-<id>.json` here while it runs.
  const chaosJob = {
    job_name: 'faultline-chaos',
    metrics_path: '/metrics',
    file_sd_configs: [
      { files: [join(plan.stateDir, 'prometheus', 'chaos-*.json')], refresh_interval: '2s' },
    ],
  };
  // `faultline load` (the embedded generator) serves k6_* metrics the same way.
  const loadJob = {
    job_name: 'faultline-load',
    metrics_path: '/metrics',
    file_sd_configs: [
      { files: [join(plan.stateDir, 'prometheus', 'load-*.json')], refresh_interval: '2s' },
    ],
  };
  return JSON.stringify(
    {
      global: {
        scrape_interval: `${scrapeIntervalSeconds}s`,
        scrape_timeout: `${Math.max(1, scrapeIntervalSeconds - 1)}s`,
        // SLO rules are evaluated as often as targets are scraped (2 s): the game-day windows
        // (5 s shortest) and their stated detection times assume one scrape + one evaluation.
        evaluation_interval: `${scrapeIntervalSeconds}s`,
      },
      rule_files: [generatedRulesGlob],
      scrape_configs: [...jobs, chaosJob, loadJob],
    },
    null,
    2,
  );
}
