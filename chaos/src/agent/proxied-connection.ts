/**
 * One client connection through a link and its connection to the target. While the link has
 * no fault acting on bytes, both directions are plain `pipe`s (no per-chunk JavaScript); when
 * such a fault arrives, {@link refresh} moves both directions onto {@link FaultAwareForwarder}s,
 * and back to `pipe` once the fault is gone and nothing is queued or held. Closes and resets
 * are mirrored: a reset on one side resets the other.
 */
import { connect, type Socket } from 'node:net';
import { FaultAwareForwarder } from './fault-aware-forwarder.js';
import { needsFaultPath, type LinkFaultState } from './link-fault-state.js';
import type { HostPort } from './link-spec.js';

/** What a connection needs from its link. */
export interface ConnectionHost {
  readonly target: HostPort;
  readonly state: LinkFaultState;
  /** Called once when both sockets are gone. */
  connectionClosed(conn: ProxiedConnection): void;
}

/** How long an aborted HTTP connection may linger before the agent closes it. */
const ABORT_LINGER_MS = 5000;

type Mode = 'waiting' | 'pipe' | 'fault' | 'closed';

export class ProxiedConnection {
  private upstream: Socket | undefined;
  private mode: Mode = 'waiting';
  private up: FaultAwareForwarder | undefined;
  private down: FaultAwareForwarder | undefined;

  constructor(
    readonly client: Socket,
    private readonly host: ConnectionHost,
  ) {}

  /** Bytes received from the client so far (the upstream direction). */
  get bytesUpstream(): number {
    return this.client.bytesRead;
  }

  /** Bytes received from the target so far (the downstream direction). */
  get bytesDownstream(): number {
    return this.upstream?.bytesRead ?? 0;
  }

  /** True while this connection forwards through the fault-aware path rather than `pipe`. */
  get onFaultPath(): boolean {
    return this.mode === 'fault';
  }

  start(): void {
    this.client.setNoDelay(true);
    this.watch(this.client, () => this.upstream);
    this.refresh();
  }

  /** Applies the link's current fault state to this connection. */
  refresh(): void {
    if (this.mode === 'closed') return;
    const s = this.host.state;
    if (s.reset) return this.reset();
    if (this.mode === 'waiting') {
      // Not yet connected upstream: partitions keep it waiting, like a SYN that gets no answer.
      if (s.hardPartition || s.softPartition === 'hang') {
        this.client.pause();
        return;
      }
      if (s.softPartition === 'refuse') return this.reset();
      this.connectUpstream();
    }
    if (needsFaultPath(s)) this.toFaultPath();
    else this.toPipeIfDrained();
  }

  /** Resets both sides (RST), as the `reset` fault does. */
  reset(): void {
    if (this.mode === 'closed') return;
    this.close();
    resetSocket(this.client);
    if (this.upstream) resetSocket(this.upstream);
  }

  /** Destroys both sides (agent shutdown). */
  destroy(): void {
    if (this.mode === 'closed') return;
    this.close();
    this.client.destroy();
    this.upstream?.destroy();
  }

  private connectUpstream(): void {
    const upstream = connect({
      host: this.host.target.host,
      port: this.host.target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    this.upstream = upstream;
    this.watch(upstream, () => this.client);
    this.mode = 'pipe';
    this.client.pipe(upstream);
    upstream.pipe(this.client);
  }

  private toFaultPath(): void {
    const upstream = this.upstream;
    if (!upstream) return;
    if (this.mode === 'pipe') {
      this.mode = 'fault';
      const hooks = {
        state: () => this.host.state,
        abort: (response: Buffer) => this.abortWith(response),
        drained: () => {
          if (!needsFaultPath(this.host.state)) this.toPipeIfDrained();
        },
      };
      this.up = new FaultAwareForwarder(this.client, upstream, 'upstream', hooks);
      this.down = new FaultAwareForwarder(upstream, this.client, 'downstream', hooks);
      this.up.attach();
      this.down.attach();
    } else {
      this.up?.sync();
      this.down?.sync();
    }
  }

  private toPipeIfDrained(): void {
    if (this.mode !== 'fault') return;
    this.up?.sync();
    this.down?.sync();
    if (!this.up?.isDrained || !this.down?.isDrained) return;
    this.mode = 'pipe';
    this.up.detach();
    this.down.detach();
    this.up = undefined;
    this.down = undefined;
  }

  /** An http-fault abort: the client gets the canned response, the target a close. */
  private abortWith(response: Buffer): void {
    if (this.mode === 'closed') return;
    this.close();
    this.upstream?.destroy();
    this.client.end(response);
    // Read and discard what the client still sends: closing with unread bytes would send an
    // RST that can overtake the response. A client that never closes is cut off later.
    this.client.resume();
    setTimeout(() => this.client.destroy(), ABORT_LINGER_MS).unref();
  }

  /** Mirrors the end of one socket onto the other. */
  private watch(sock: Socket, other: () => Socket | undefined): void {
    sock.on('error', () => undefined); // surfaced through 'close' (hadError)
    sock.once('close', (hadError) => {
      const o = other();
      if (o && !o.destroyed) {
        if (hadError) resetSocket(o);
        // A clean close after end-of-stream was already propagated by pipe or forwarder.
        else if (!sock.readableEnded) o.destroy();
      }
      if (this.client.destroyed && (!this.upstream || this.upstream.destroyed)) {
        this.close();
      }
    });
  }

  private close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.up?.dispose();
    this.down?.dispose();
    this.host.connectionClosed(this);
  }
}

function resetSocket(s: Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}
