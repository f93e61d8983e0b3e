/**
 * The faultline agent: the per-pod sidecar through which chaos reaches the network and the
 * process. It owns the pod's proxy links, the app's PID and the active faults, and serves the
 * admin API. Use it in-process (`new Agent(...).start()`) or as a process (`main.ts`).
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import type { Express } from 'express';
import { ClientError } from '@faultline/kit/http-errors';
import { createLogger, type Logger } from '@faultline/kit/logging';
import { createMetrics, type Metrics } from '@faultline/kit/metrics';
import { Probes } from '@faultline/kit/probes';
import { ActiveFaults, type EndReason } from './active-faults.js';
import { createAdminApp } from './admin-api.js';
import { createAgentMetrics } from './agent-metrics.js';
import { signalApp, signalAppIfAlive } from './app-process.js';
import {
  faultRequestSchema,
  isProcessFault,
  type ActiveFaultView,
  type AppliedFault,
  type FaultRequest,
} from './fault-spec.js';
import { linkListSchema, type LinkSpecInput } from './link-spec.js';
import { ProxyLink, type LinkView } from './proxy-link.js';
import { randomSeed, seededRandom } from '@faultline/kit/seeded-random';
import { generateToken, readProvidedToken, writeTokenFile } from './token-file.js';

/** Default TTL cap: ten minutes; longer faults are renewed. */
export const DEFAULT_MAX_TTL_MS = 600_000;

export interface AgentOptions {
  /** The pod this agent serves (`booking-0`); logs, spans. */
  name?: string;
  links: LinkSpecInput[];
  /** The app's PID, for `pause` and `kill`; can be set later ({@link Agent.setAppPid}). */
  appPid?: number;
  adminHost?: string;
  /** 0 (default) picks a free port; see {@link Agent.adminUrl}. */
  adminPort?: number;
  /**
   * The admin token's file. Present and non-empty (a mounted Secret): its content is the token
   * and the file is left alone. Otherwise a token is generated and written here (0600).
   * Without it the token is only in memory.
   */
  tokenFile?: string;
  /** Upper bound for any fault's TTL, ms. */
  maxTtlMs?: number;
  logger?: Logger;
  /** Registry for the admin app's `/metrics` (a fresh one by default). */
  metrics?: Metrics;
}

export class Agent {
  readonly name: string;
  readonly token: string;
  /** `file`: the token came from {@link AgentOptions.tokenFile}; `generated`: made at start. */
  readonly tokenSource: 'file' | 'generated';
  readonly maxTtlMs: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly probes = new Probes();
  /** The admin API (probes, `/metrics`, and the token-guarded routes). */
  readonly app: Express;
  private readonly linksByName = new Map<string, ProxyLink>();
  private readonly faults: ActiveFaults;
  private readonly requestSchema: ReturnType<typeof faultRequestSchema>;
  private pid: number | undefined;
  private adminServer: Server | undefined;

  constructor(private readonly options: AgentOptions) {
    this.name = options.name ?? 'agent';
    this.maxTtlMs = options.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
    this.logger =
      options.logger ?? createLogger({ service: 'faultline-agent', instance: this.name });
    this.metrics = options.metrics ?? createMetrics();
    this.pid = options.appPid;
    const provided = options.tokenFile ? readProvidedToken(options.tokenFile) : undefined;
    this.token = provided ?? generateToken();
    this.tokenSource = provided !== undefined ? 'file' : 'generated';
    for (const spec of linkListSchema.parse(options.links))
      this.linksByName.set(spec.name, new ProxyLink(spec, this.logger.child({ link: spec.name })));
    const agentMetrics = createAgentMetrics(this.metrics.registry, () => this.linksByName.values());
    this.faults = new ActiveFaults(
      agentMetrics,
      trace.getTracer('@faultline/chaos/agent'),
      this.logger,
    );
    this.requestSchema = faultRequestSchema(this.maxTtlMs);
    this.app = createAdminApp(this);
  }

  /**
   * Opens every link and writes the token file (unless the token came from it); the admin API
   * is not listening yet.
   */
  async startLinks(): Promise<void> {
    await Promise.all([...this.linksByName.values()].map((l) => l.start()));
    if (this.options.tokenFile && this.tokenSource === 'generated')
      await writeTokenFile(this.options.tokenFile, this.token);
    this.logger.info({ tokenSource: this.tokenSource }, 'admin token ready');
    for (const l of this.linksByName.values())
      this.logger.info({ link: l.name, listen: l.listen, target: l.target }, 'link listening');
  }

  /** Opens the links, writes the token file and starts the admin API. */
  async start(): Promise<void> {
    await this.startLinks();
    const server = this.app.listen(
      this.options.adminPort ?? 0,
      this.options.adminHost ?? '127.0.0.1',
    );
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.adminServer = server;
    this.probes.markStarted();
    this.logger.info({ adminUrl: this.adminUrl }, 'agent started');
  }

  /**
   * Ends every fault (a paused app is resumed), closes the links and the admin API. Faults
   * never outlive their agent.
   */
  async stop(): Promise<void> {
    this.probes.markShuttingDown();
    this.faults.clear('removed');
    await Promise.all([...this.linksByName.values()].map((l) => l.stop()));
    const server = this.adminServer;
    this.adminServer = undefined;
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** `http://host:port` of the admin API, once {@link start} has run. */
  get adminUrl(): string {
    const addr = this.adminServer?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('agent admin API is not listening');
    return `http://${this.options.adminHost ?? '127.0.0.1'}:${addr.port}`;
  }

  get appPid(): number | undefined {
    return this.pid;
  }

  /** The supervisor restarted the app: faults from now on target `pid`. */
  setAppPid(pid: number): void {
    this.pid = pid;
    this.logger.info({ pid }, 'app pid set');
  }

  get links(): LinkView[] {
    return [...this.linksByName.values()].map((l) => l.view());
  }

  link(name: string): ProxyLink | undefined {
    return this.linksByName.get(name);
  }

  /**
   * Validates and applies a fault; returns it exactly as applied. Bad input throws a ZodError
   * or a {@link ClientError} naming the field. A fault of the same type on the same
   * target, or with the same id, is replaced.
   */
  apply(input: unknown): AppliedFault {
    const req: FaultRequest = this.requestSchema.parse(input);
    const link = isProcessFault(req) ? undefined : this.linkFor(req.link, req.type);
    const pid = isProcessFault(req) ? this.requirePid() : undefined;
    const now = Date.now();
    const params: Record<string, unknown> = { ...req.params };
    if (req.type === 'latency' || req.type === 'http-fault') params.seed ??= randomSeed();
    const record: AppliedFault = {
      id: req.id ?? `f-${randomBytes(6).toString('hex')}`,
      type: req.type,
      params,
      ...(link ? { link: link.name } : {}),
      ...(pid !== undefined ? { pid } : {}),
      experiment: req.experiment ?? 'none',
      ttlMs: req.ttlMs,
      appliedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + req.ttlMs).toISOString(),
      oneShot: req.type === 'kill',
    };
    for (const old of this.faults.find(
      (f) => f.id === record.id || (f.type === record.type && f.link === record.link),
    ))
      this.faults.remove(old.id, 'replaced');

    const span = this.faults.startSpan(record);
    try {
      if (link) {
        link.addFault({ record, rng: seededRandom((params.seed as number | undefined) ?? 0) });
        // Requests entering the pod while this link is faulty are affected: mark them on entry.
        const entries = [...this.linksByName.values()].filter(
          (l) => l !== link && l.spec.kind === 'inbound' && l.spec.protocol === 'http',
        );
        for (const e of entries) e.markExperiment(record);
        this.faults.add(record, span, () => {
          link.removeFault(record.id);
          for (const e of entries) e.unmarkExperiment(record.id);
        });
      } else if (req.type === 'pause') {
        signalApp(pid!, 'SIGSTOP');
        this.faults.add(record, span, () => void signalAppIfAlive(pid!, 'SIGCONT'));
      } else {
        signalApp(pid!, 'SIGKILL');
        this.faults.add(record, span, () => undefined);
      }
    } catch (e) {
      span.end();
      throw e;
    }
    return record;
  }

  /** Ends a fault now (reason `removed`); undefined when it was not active. */
  remove(id: string): AppliedFault | undefined {
    return this.faults.remove(id, 'removed');
  }

  /** Extends a fault's life to now + ttlMs (capped); undefined when it was not active. */
  renew(id: string, ttlMs: number): ActiveFaultView | undefined {
    return this.faults.renew(id, ttlMs);
  }

  /** How a fault that is no longer active ended (recent ones only). */
  endedFault(id: string): { reason: EndReason; at: string } | undefined {
    return this.faults.ended(id);
  }

  /** Active faults with their remaining TTL. */
  activeFaults(): ActiveFaultView[] {
    return this.faults.list();
  }

  private linkFor(name: string, type: FaultRequest['type']): ProxyLink {
    const link = this.linksByName.get(name);
    if (!link)
      throw new ClientError(400, 'invalid_request', [
        {
          path: 'link',
          message: `unknown link ${JSON.stringify(name)}; links: ${[...this.linksByName.keys()].join(', ') || '(none)'}`,
        },
      ]);
    if (type === 'http-fault' && link.spec.protocol !== 'http')
      throw new ClientError(400, 'invalid_request', [
        {
          path: 'link',
          message: `link ${name} is ${link.spec.protocol}; http-fault needs an http link`,
        },
      ]);
    return link;
  }

  private requirePid(): number {
    if (this.pid === undefined)
      throw new ClientError(409, 'no_app_pid', [
        { path: 'pid', message: 'the agent does not know its app process yet (PUT /app {pid})' },
      ]);
    return this.pid;
  }
}
