/**
 * The local platform's supervisor: starts every pod of the plan in dependency stages,
 * waits for readiness with progress, restarts crashed pods with back-off, publishes ready
 * replicas to the gateway's discovery files, keeps state.json current, and stops everything
 * (in reverse order) on `down`. Its pods die with it (parent-death-signal.ts); whatever an
 * earlier, killed supervisor still left running is stopped before anything starts.
 */
import { mkdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { preflight } from './preflight.js';
import { PodProcess } from './pod-process.js';
import { prometheusConfig, resolveLinkPorts, type Plan, type PodSpec } from './pod-plan.js';
import { startPodAgent, type PodAgent } from './pod-agent.js';
import { leftoversOf, stopLeftovers } from './leftovers.js';
import { setpriv } from './parent-death-signal.js';
import { startTimeOf } from './process-identity.js';
import {
  readState,
  supervisorRunning,
  writeState,
  type Phase,
  type PlaygroundState,
} from './state-file.js';

export interface SupervisorOptions {
  /** Progress lines for people ("starting redis", "waiting for etcd quorum"...). */
  onProgress: (line: string) => void;
  tracing: PlaygroundState['tracing'];
  jaegerUrl?: string;
  /** Environment the pods inherit (PATH with Node 24 etc.). */
  env?: NodeJS.ProcessEnv;
  /** How long each start-up stage may take to become ready, in ms. Default 30 000. */
  readyTimeoutMs?: number;
}

/** The default of {@link SupervisorOptions.readyTimeoutMs}. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/**
 * `FAULTLINE_READY_TIMEOUT_MS` from `env`, for the CLI to read once and pass as
 * {@link SupervisorOptions.readyTimeoutMs}; unset or empty gives the default. Throws, naming
 * the variable, on anything but a positive number.
 */
export function readyTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.FAULTLINE_READY_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_READY_TIMEOUT_MS;
  const t = Number(raw);
  if (!Number.isFinite(t) || t <= 0)
    throw new Error(
      `FAULTLINE_READY_TIMEOUT_MS: expected a positive number of milliseconds (got ${JSON.stringify(raw)})`,
    );
  return t;
}

export class StartupError extends Error {
  readonly isStartupError = true;
}

export class LocalSupervisor {
  readonly pods: PodProcess[] = [];
  /** Each app pod's agent, by pod name (in this process: no extra processes to run). */
  readonly agents = new Map<string, PodAgent>();
  #phase: Phase = 'starting';
  #error: string | undefined;
  #startedAt = new Date().toISOString();
  #startTime = startTimeOf(process.pid);
  /** Set once the previous run's state is dealt with: until then state.json is not ours. */
  #ownsState = false;
  #writeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly plan: Plan,
    private readonly opts: SupervisorOptions,
  ) {}

  get phase(): Phase {
    return this.#phase;
  }

  /** Starts everything; resolves when all pods are ready, throws a StartupError otherwise. */
  async up(): Promise<void> {
    await this.#clearPrevious();
    if (!setpriv())
      this.opts.onProgress(
        'setpriv (util-linux) not found: pods would outlive a killed supervisor; `faultline up` and `faultline down` stop such leftovers',
      );
    const problems = await preflight(this.plan);
    if (problems.length > 0) throw new StartupError(problems.join('\n'));
    this.#prepareStateDir();
    await this.#startAgents();
    writeFileSync(
      this.plan.prometheusConfigFile,
      prometheusConfig(this.plan, this.#agentTargets()),
    );
    const stages = [...new Set(this.plan.pods.map((p) => p.stage))].sort((a, b) => a - b);
    const timeoutMs = this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    for (const stage of stages) {
      const specs = this.plan.pods.filter((p) => p.stage === stage);
      const started = specs.map((spec) => this.#startPod(spec));
      this.opts.onProgress(`starting ${specs.map((s) => s.name).join(', ')}`);
      await this.#waitReady(started, timeoutMs);
    }
    this.#phase = 'ready';
    this.#saveState();
  }

  /**
   * The state file of an earlier run may name processes that still run (its supervisor was
   * killed and they survived it): stop them, saying so, before their ports are needed. While
   * one remains, or that supervisor itself still runs, start nothing and leave the file alone.
   */
  async #clearPrevious(): Promise<void> {
    const previous = readState(this.plan.stateDir);
    if (!previous) return;
    if (
      previous.supervisorPid !== process.pid &&
      previous.phase !== 'stopped' &&
      supervisorRunning(previous)
    )
      throw new StartupError(
        `a playground is already running (supervisor pid ${previous.supervisorPid}); \`faultline down\` stops it`,
      );
    const leftovers = leftoversOf(previous);
    if (leftovers.length === 0) return;
    this.opts.onProgress(
      `the previous supervisor (pid ${previous.supervisorPid}) is gone but left ${leftovers.length} of its processes running: stopping them first`,
    );
    const remaining = await stopLeftovers(leftovers, this.opts.onProgress);
    if (remaining.length > 0)
      throw new StartupError(
        `cannot stop what the previous playground left running: ${remaining.map((l) => `${l.name} (pid ${l.pid})`).join(', ')}; ${this.plan.stateDir}/state.json still names them`,
      );
  }

  #prepareStateDir(): void {
    this.#ownsState = true;
    const dir = this.plan.stateDir;
    // A fresh playground every `up`: old data would mix runs (etcd refuses a changed cluster).
    rmSync(join(dir, 'data'), { recursive: true, force: true });
    for (const sub of ['data', 'logs', 'discovery']) mkdirSync(join(dir, sub), { recursive: true });
    for (const pod of this.plan.pods) mkdirSync(join(dir, 'data', pod.name), { recursive: true });
    for (const pod of this.plan.pods)
      for (const [file, text] of Object.entries(pod.files ?? {})) atomicWrite(file, text);
    for (const file of Object.values(this.plan.discoveryFiles))
      atomicWrite(file, JSON.stringify({ endpoints: [] }));
    this.#saveState();
  }

  /** Agents first: their link ports go into the apps' environment. */
  async #startAgents(): Promise<void> {
    const withAgents = this.plan.pods.filter((p) => p.agentLinks?.length);
    if (withAgents.length === 0) return;
    this.opts.onProgress(`starting agents for ${withAgents.map((p) => p.name).join(', ')}`);
    for (const spec of withAgents) {
      this.agents.set(spec.name, await startPodAgent(spec, this.plan.stateDir));
    }
  }

  #agentTargets(): Record<string, string> {
    return Object.fromEntries([...this.agents].map(([pod, a]) => [pod, new URL(a.adminUrl).host]));
  }

  #startPod(original: PodSpec): PodProcess {
    const agent = this.agents.get(original.name);
    const spec: PodSpec = agent
      ? { ...original, env: resolveLinkPorts(original.env, agent.linkPorts) }
      : original;
    const pod = new PodProcess(
      spec,
      join(this.plan.stateDir, 'logs', `${spec.name}.log`),
      this.opts.env ?? process.env,
    );
    pod.on('ready', (ready: boolean) => {
      if (this.#phase === 'ready')
        this.opts.onProgress(`${spec.name} is ${ready ? 'ready' : 'NOT ready'}`);
      this.#publishDiscovery();
      this.#saveStateSoon();
    });
    pod.on('exit', ({ code, signal }: { code: number | null; signal: string | null }) => {
      if (this.#phase === 'stopping' || this.#phase === 'stopped') return;
      this.opts.onProgress(
        `${spec.name} exited (${signal ?? `code ${code}`}); restarting with back-off`,
      );
      this.#saveStateSoon();
    });
    pod.on('restart', (n: number) => {
      this.opts.onProgress(`${spec.name} restarted (restart #${n})`);
      this.#saveStateSoon();
    });
    pod.on('spawned', (pid: number) => {
      agent?.agent.setAppPid(pid);
      // At once, not soon: state.json must name every process that may outlive us.
      this.#saveState();
    });
    pod.on('spawn-error', (err: Error) =>
      this.opts.onProgress(`${spec.name}: cannot start: ${err.message}`),
    );
    this.pods.push(pod);
    pod.start();
    return pod;
  }

  async #waitReady(pods: PodProcess[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastReport = 0;
    for (;;) {
      const waiting = pods.filter((p) => !p.status.ready);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        this.#phase = 'failed';
        const details = waiting
          .map(
            (p) =>
              `${p.spec.name} never became ready within ${timeoutMs / 1000} s (${p.spec.readyUrl ?? `port ${p.spec.port}`}); last log lines (${p.logFile}):\n${indent(p.tail())}`,
          )
          .join('\n');
        this.#error = details;
        this.#saveState();
        throw new StartupError(details);
      }
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        this.opts.onProgress(
          `waiting for ${waiting.map((p) => p.spec.name).join(', ')} to be ready`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ready replicas (and not-ready ones, flagged) for the gateway's local discovery. */
  #publishDiscovery(): void {
    for (const [service, file] of Object.entries(this.plan.discoveryFiles)) {
      const endpoints = this.pods
        .filter((p) => p.spec.service === service)
        .map((p) => ({
          host: '127.0.0.1',
          // Through the pod's agent when it has an inbound link, so http faults apply.
          port:
            (p.spec.servedVia && this.agents.get(p.spec.name)?.linkPorts[p.spec.servedVia]) ||
            p.spec.port,
          ready: p.status.ready,
          terminating: false,
        }));
      atomicWrite(file, JSON.stringify({ endpoints }));
    }
  }

  snapshot(): PlaygroundState {
    return {
      phase: this.#phase,
      ...(this.#error ? { error: this.#error } : {}),
      supervisorPid: process.pid,
      ...(this.#startTime ? { supervisorStartTime: this.#startTime } : {}),
      startedAt: this.#startedAt,
      updatedAt: new Date().toISOString(),
      urls: { ...this.plan.urls, ...(this.opts.jaegerUrl ? { jaeger: this.opts.jaegerUrl } : {}) },
      tracing: this.opts.tracing,
      gatewayAdminToken: this.plan.gatewayAdminToken,
      pods: this.plan.pods.map((spec) => {
        const pod = this.pods.find((p) => p.spec.name === spec.name);
        const s = pod?.status;
        return {
          name: spec.name,
          service: spec.service,
          labels: spec.labels,
          pid: s?.pid,
          ...(s?.startTime ? { startTime: s.startTime } : {}),
          port: spec.port,
          ready: s?.ready ?? false,
          restarts: s?.restarts ?? 0,
          url: spec.readyUrl ? new URL(spec.readyUrl).origin : undefined,
          metricsUrl: spec.metricsUrl,
          logFile: join(this.plan.stateDir, 'logs', `${spec.name}.log`),
          ...(this.agents.has(spec.name) ? { agent: this.agents.get(spec.name)!.view() } : {}),
        };
      }),
    };
  }

  #saveState(): void {
    if (!this.#ownsState) return;
    writeState(this.plan.stateDir, this.snapshot());
  }

  #saveStateSoon(): void {
    if (this.#writeTimer) return;
    this.#writeTimer = setTimeout(() => {
      this.#writeTimer = undefined;
      this.#saveState();
    }, 100);
  }

  /** Stops every pod, apps before infrastructure, and records `stopped`. */
  async down(): Promise<void> {
    if (this.#phase === 'stopping' || this.#phase === 'stopped') return;
    this.#phase = 'stopping';
    this.#saveState();
    const stages = [...new Set(this.pods.map((p) => p.spec.stage))].sort((a, b) => b - a);
    for (const stage of stages) {
      const pods = this.pods.filter((p) => p.spec.stage === stage);
      this.opts.onProgress(`stopping ${pods.map((p) => p.spec.name).join(', ')}`);
      // Infrastructure is stateless here (data is wiped on the next up): a short grace.
      await Promise.all(
        pods.map((p) =>
          p.stop(p.spec.labels.tier === 'app' || p.spec.labels.tier === 'edge' ? 10_000 : 2000),
        ),
      );
    }
    // Agents last: stopping one ends its faults (a paused app is resumed) and closes links.
    await Promise.all([...this.agents.values()].map((a) => a.agent.stop()));
    clearTimeout(this.#writeTimer);
    this.#phase = 'stopped';
    this.#saveState();
  }
}

function atomicWrite(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
