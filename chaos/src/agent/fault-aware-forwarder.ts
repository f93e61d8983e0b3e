/**
 * Forwards one direction of a proxied connection while a fault acts on bytes in flight
 * (latency, bandwidth, hard partition, http-fault). Idle links never get here: they `pipe`.
 *
 * Latency is applied per *burst*, not per chunk: a chunk that arrives while nothing is queued
 * starts a burst and is released after the delay; chunks that arrive while the burst is still
 * queued go out right behind it, in order, with no delay of their own. A request written in
 * five small writes (or twenty pipelined Redis commands) is therefore delayed once.
 * Bandwidth paces released bytes through a cursor (slices of about 50 ms worth). A hard
 * partition stops reading the source (TCP flow control then holds the sender) and releases
 * everything in order when it ends. On an http link under an experiment, each request head
 * gets the experiment in its `baggage` header on the way in.
 */
import type { Socket } from 'node:net';
import { withExperimentBaggage } from './experiment-baggage.js';
import { abortResponse, httpVerdict, parseRequestLine } from './http-request-line.js';
import { affects, type Flow, type LinkFaultState } from './link-fault-state.js';

/** Stop reading the source while this much is queued (latency × throughput can add up). */
const HIGH_WATER_BYTES = 1 << 20;
const LOW_WATER_BYTES = 1 << 18;

export interface ForwarderHooks {
  /** The link's current fault state (read per chunk, so new faults act at once). */
  state(): LinkFaultState;
  /** An http-fault aborted a request: answer the client with `response`, then close. */
  abort(response: Buffer): void;
  /** Nothing queued or held any more: the connection may return to plain piping. */
  drained(): void;
}

interface Queued {
  chunk: Buffer;
  /** performance.now() time at which it may be written. */
  at: number;
}

export class FaultAwareForwarder {
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private burstAt = 0;
  private bandwidthCursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingDrain = false;
  private held = false;
  private sourceEnded = false;
  private finished = false;
  private attached = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly flow: Flow,
    private readonly hooks: ForwarderHooks,
  ) {}

  /** Takes over from `pipe`: chunks already read stay in the source's buffer, nothing is lost. */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.src.unpipe(this.dst);
    this.src.on('data', this.onData);
    this.src.on('end', this.onEnd);
    if (this.src.readableEnded) this.onEnd();
    this.sync();
  }

  /** Hands the direction back to `pipe`; only call when {@link isDrained}. */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.src.off('data', this.onData);
    this.src.off('end', this.onEnd);
    this.clearTimer();
    if (!this.finished && !this.src.readableEnded) this.src.pipe(this.dst);
  }

  /** Nothing queued, held or waiting on the destination. */
  get isDrained(): boolean {
    return this.queue.length === 0 && !this.held && !this.waitingDrain;
  }

  /** Re-reads the link state: start or stop holding for a hard partition. */
  sync(): void {
    const hold = this.hooks.state().hardPartition;
    if (hold && !this.held) {
      this.held = true;
      this.src.pause();
      this.clearTimer();
    } else if (!hold && this.held) {
      this.held = false;
      this.pump();
    } else if (!hold) {
      this.resumeIfRoom();
    }
  }

  /** Stops forwarding for good (the connection is closing). */
  dispose(): void {
    this.finished = true;
    this.src.off('data', this.onData);
    this.src.off('end', this.onEnd);
    this.clearTimer();
    this.queue = [];
    this.queuedBytes = 0;
  }

  private readonly onData = (received: Buffer): void => {
    const s = this.hooks.state();
    const now = performance.now();
    let httpDelay = 0;
    if (this.flow === 'upstream' && s.http) {
      const req = parseRequestLine(received);
      const verdict = req ? httpVerdict(s.http, req) : undefined;
      if (verdict && 'abortStatus' in verdict) {
        this.dispose();
        this.src.pause();
        this.hooks.abort(abortResponse(verdict.abortStatus, s.http.faultId, s.http.experiment));
        return;
      }
      if (verdict) httpDelay = verdict.delayMs;
    }
    const chunk =
      this.flow === 'upstream' && s.experiment !== undefined
        ? withExperimentBaggage(received, s.experiment)
        : received;
    if (this.queue.length === 0 && !this.waitingDrain) {
      // A new burst: the only chunk that pays the latency.
      let delay = 0;
      const l = s.latency;
      if (l && affects(l.direction, this.flow))
        delay = Math.max(0, l.ms + (l.jitterMs ? (l.rng() * 2 - 1) * l.jitterMs : 0));
      this.burstAt = now + delay + httpDelay;
    } else if (httpDelay > 0) {
      this.burstAt = Math.max(this.burstAt, now + httpDelay);
    }
    const at = Math.max(this.burstAt, now);
    const bw = s.bandwidth;
    if (bw && affects(bw.direction, this.flow)) {
      const slice = Math.max(1, Math.min(64 * 1024, Math.floor(bw.bytesPerSec / 20)));
      for (let off = 0; off < chunk.length; off += slice) {
        const part = chunk.subarray(off, off + slice);
        const partAt = Math.max(at, this.bandwidthCursor);
        this.bandwidthCursor = partAt + (part.length / bw.bytesPerSec) * 1000;
        this.push(part, partAt);
      }
    } else {
      this.push(chunk, at);
    }
    if (this.queuedBytes > HIGH_WATER_BYTES) this.src.pause();
    this.pump();
  };

  private readonly onEnd = (): void => {
    this.sourceEnded = true;
    this.pump();
  };

  private push(chunk: Buffer, at: number): void {
    this.queue.push({ chunk, at });
    this.queuedBytes += chunk.length;
  }

  private readonly pump = (): void => {
    this.clearTimer();
    if (this.held || this.waitingDrain || this.finished) return;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const wait = head.at - performance.now();
      if (wait > 0.5) {
        this.timer = setTimeout(this.pump, Math.ceil(wait));
        return;
      }
      this.queue.shift();
      this.queuedBytes -= head.chunk.length;
      if (this.dst.destroyed) return;
      if (!this.dst.write(head.chunk)) {
        this.waitingDrain = true;
        this.src.pause();
        this.dst.once('drain', this.onDrain);
        return;
      }
    }
    this.resumeIfRoom();
    if (this.sourceEnded) {
      this.finished = true;
      if (!this.dst.destroyed) this.dst.end();
    }
    this.hooks.drained();
  };

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.pump();
  };

  private resumeIfRoom(): void {
    if (!this.held && !this.waitingDrain && this.queuedBytes < LOW_WATER_BYTES && this.attached)
      this.src.resume();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
