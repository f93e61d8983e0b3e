/**
 * Keeps a seat lock's lease alive while the work under it is in progress: renews every third
 * of the TTL (compare-and-pexpire, so only the owner can). It never makes a write safe by
 * itself — a paused process renews nothing — which is why the ledger checks fencing tokens.
 */
import type { LockGrant, SeatLock } from './seat-lock.js';

/** Observation points; they must not throw. */
export interface LeaseHooks {
  onRenewed?(): void;
  /** The lock was no longer ours at renewal time (lease expired, someone else took it). */
  onLost?(): void;
  onError?(e: unknown): void;
}

export class LeaseKeeper {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #suspended = false;
  #lost = false;

  constructor(
    private readonly lock: SeatLock,
    private readonly grant: LockGrant,
    private readonly hooks: LeaseHooks = {},
  ) {
    this.#schedule();
  }

  /** True once a renewal found the lock owned by someone else (or by nobody). */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * Freezes renewal, as a stop-the-world pause would: used by the test stall so it reproduces
   * a GC pause longer than the lease, not a slow but live worker.
   */
  suspend(): void {
    this.#suspended = true;
    clearTimeout(this.#timer);
  }

  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    this.#schedule();
  }

  /** Stops renewing (before release). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped || this.#suspended || this.#lost) return;
    this.#timer = setTimeout(
      () => void this.#renew(),
      Math.max(1, Math.floor(this.lock.ttlMs / 3)),
    );
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    if (this.#stopped || this.#suspended) return;
    try {
      if (await this.lock.renew(this.grant)) {
        this.hooks.onRenewed?.();
      } else {
        this.#lost = true;
        this.hooks.onLost?.();
      }
    } catch (e) {
      this.hooks.onError?.(e);
    }
    this.#schedule();
  }
}
