/**
 * Proves, from the client side, that a lease is still held. A keep-alive answered by etcd
 * proves the lease lives until at least *send time* + TTL (etcd renewed it after we sent),
 * whatever the answer's delay; so the guard extends its proof only from send times, and
 * declares the lease unprovable `marginMs` before the proof runs out — before the lease
 * could have expired on the server and another replica could have been elected.
 */

/** One keep-alive round trip: resolves with the TTL (s) etcd granted; 0 = lease gone. */
export type KeepAliveOnce = (signal: AbortSignal) => Promise<number>;

export interface LeaseGuardOptions {
  /** The TTL the lease was granted with, in ms. */
  ttlMs: number;
  /** How often to renew. */
  intervalMs: number;
  /** Stop acting this long before the proof runs out. */
  marginMs: number;
  keepAliveOnce: KeepAliveOnce;
  /** Monotonic clock in ms (tests inject a fake one). */
  now?: () => number;
  /** The proof ran out (minus the margin): the holder must stop acting now. */
  onUnprovable: () => void;
  /** etcd answered that the lease no longer exists. */
  onLost: () => void;
  /** A keep-alive failed or timed out (for logs and metrics; the proof simply is not extended). */
  onKeepAliveFailed?: (err: unknown) => void;
}

export class LeaseGuard {
  private provenUntil = 0;
  private interval: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private stopped = false;
  private unprovableReported = false;
  private readonly inFlight = new Set<AbortController>();
  private readonly now: () => number;

  constructor(private readonly opts: LeaseGuardOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /**
   * Starts renewing. `grantSentAt` is when the grant request was sent (monotonic ms): the
   * lease was created after it, so it lives at least until then + TTL.
   */
  start(grantSentAt: number): void {
    this.provenUntil = grantSentAt + this.opts.ttlMs;
    this.armDeadline();
    this.interval = setInterval(() => void this.renew(), this.opts.intervalMs);
    void this.renew();
  }

  /** Until when (monotonic ms) the holder may act. */
  get actUntil(): number {
    return this.provenUntil - this.opts.marginMs;
  }

  /** True while the lease is provably held, with the margin to spare. */
  isProvablyHeld(): boolean {
    return !this.stopped && this.now() < this.actUntil;
  }

  /** Milliseconds the holder may still act (0 when it may not). */
  remainingMs(): number {
    return this.stopped ? 0 : Math.max(0, this.actUntil - this.now());
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.interval);
    clearTimeout(this.deadline);
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    const sentAt = this.now();
    const controller = new AbortController();
    // A renewal sent now cannot help once the proof it would extend has lapsed anyway.
    const timer = setTimeout(() => controller.abort(), this.opts.ttlMs);
    this.inFlight.add(controller);
    try {
      const ttlS = await this.opts.keepAliveOnce(controller.signal);
      if (this.stopped) return;
      if (ttlS <= 0) {
        this.stop();
        this.opts.onLost();
        return;
      }
      const until = sentAt + ttlS * 1000;
      if (until > this.provenUntil) {
        this.provenUntil = until;
        this.armDeadline();
      }
    } catch (err) {
      if (!this.stopped) this.opts.onKeepAliveFailed?.(err);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private armDeadline(): void {
    clearTimeout(this.deadline);
    if (this.stopped) return;
    const wait = this.actUntil - this.now();
    if (wait <= 0) {
      // Renewals go on: a later answer to a later send proves the lease again.
      if (!this.unprovableReported) {
        this.unprovableReported = true;
        this.opts.onUnprovable();
      }
      return;
    }
    this.unprovableReported = false;
    this.deadline = setTimeout(() => this.armDeadline(), wait);
  }
}
