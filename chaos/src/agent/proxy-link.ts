/**
 * A proxy link: a TCP listener that forwards every connection to one target, with the faults
 * currently applied to it. Faults change {@link state}; every live connection is refreshed at
 * once, so established connections pick up a hard partition or latency immediately.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@faultline/kit/logging';
import { deriveState, NO_FAULTS, type LinkFault, type LinkFaultState } from './link-fault-state.js';
import type { AppliedFault } from './fault-spec.js';
import type { HostPort, LinkSpec } from './link-spec.js';
import { ProxiedConnection, type ConnectionHost } from './proxied-connection.js';

/** A link as `GET /links` shows it. */
export interface LinkView {
  name: string;
  protocol: LinkSpec['protocol'];
  kind: LinkSpec['kind'];
  listen: HostPort;
  target: HostPort;
  /** `faultPath`: connections currently on the fault-aware path instead of plain `pipe`. */
  connections: { active: number; total: number; refused: number; faultPath: number };
  bytes: { upstream: number; downstream: number };
  /** Ids of the faults active on this link. */
  faults: string[];
}

export class ProxyLink implements ConnectionHost {
  private readonly server: Server;
  private readonly connections = new Set<ProxiedConnection>();
  private readonly faults = new Map<string, LinkFault>();
  /** Experiment faults on the pod's other links, which mark the requests entering here. */
  private readonly marks = new Map<string, AppliedFault>();
  private current: LinkFaultState = NO_FAULTS;
  private boundPort = 0;
  private totalConnections = 0;
  private refusedConnections = 0;
  private closedBytes = { upstream: 0, downstream: 0 };

  constructor(
    readonly spec: LinkSpec,
    private readonly logger: Logger,
  ) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (s) => this.accept(s));
  }

  get name(): string {
    return this.spec.name;
  }

  get target(): HostPort {
    return this.spec.target;
  }

  get state(): LinkFaultState {
    return this.current;
  }

  /** The address actually listened on (the free port when the spec said 0). */
  get listen(): HostPort {
    return { host: this.spec.listen.host, port: this.boundPort };
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.spec.listen.port, this.spec.listen.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.spec.listen.port;
    this.server.on('error', (err) => this.logger.error({ err, link: this.name }, 'link error'));
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    for (const c of [...this.connections]) c.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addFault(fault: LinkFault): void {
    this.faults.set(fault.record.id, fault);
    this.recompute();
  }

  removeFault(id: string): void {
    if (this.faults.delete(id)) this.recompute();
  }

  /**
   * A request served while another link of the pod is under an experiment's fault (its Redis
   * link slowed, say) is affected by that experiment: on an http link it gets the experiment's
   * baggage entry, so its spans say which experiment touched it. Nothing else changes here.
   */
  markExperiment(record: AppliedFault): void {
    this.marks.set(record.id, record);
    this.recompute();
  }

  unmarkExperiment(id: string): void {
    if (this.marks.delete(id)) this.recompute();
  }

  /** Bytes received in each direction, over closed and live connections. */
  bytes(): { upstream: number; downstream: number } {
    let { upstream, downstream } = this.closedBytes;
    for (const c of this.connections) {
      upstream += c.bytesUpstream;
      downstream += c.bytesDownstream;
    }
    return { upstream, downstream };
  }

  get activeConnections(): number {
    return this.connections.size;
  }

  get acceptedConnections(): number {
    return this.totalConnections;
  }

  view(): LinkView {
    return {
      name: this.name,
      protocol: this.spec.protocol,
      kind: this.spec.kind,
      listen: this.listen,
      target: this.target,
      connections: {
        active: this.connections.size,
        total: this.totalConnections,
        refused: this.refusedConnections,
        faultPath: [...this.connections].filter((c) => c.onFaultPath).length,
      },
      bytes: this.bytes(),
      faults: [...this.faults.keys()],
    };
  }

  connectionClosed(conn: ProxiedConnection): void {
    if (!this.connections.delete(conn)) return;
    this.closedBytes.upstream += conn.bytesUpstream;
    this.closedBytes.downstream += conn.bytesDownstream;
  }

  private accept(socket: Socket): void {
    this.totalConnections++;
    const s = this.current;
    if (s.reset || s.softPartition === 'refuse') {
      // "Refused": the listener stays bound (the link keeps its address), the client gets an RST.
      this.refusedConnections++;
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    const conn = new ProxiedConnection(socket, this);
    this.connections.add(conn);
    conn.start();
  }

  private recompute(): void {
    this.current = deriveState(this.faults.values(), this.spec.protocol, this.marks.values());
    for (const c of [...this.connections]) c.refresh();
  }
}
