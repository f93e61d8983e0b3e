/**
 * Active health checks: `GET <path>` on every backend each interval, with a timeout. A
 * backend turns unhealthy after `unhealthyThreshold` failures in a row and healthy again
 * after `healthyThreshold` successes, so one slow answer does not flap it. Checks use their
 * own short-lived connections: a check must see what a new connection would see.
 */
import { request } from 'node:http';
import type { Backend } from './backend.js';
import type { BackendPool } from './backend-pool.js';

export interface ActiveHealthOptions {
  intervalMs: number;
  timeoutMs: number;
  path: string;
  healthyThreshold: number;
  unhealthyThreshold: number;
  onChange?: (backend: Backend, healthy: boolean, reason: string | undefined) => void;
}

export class ActiveHealthChecker {
  readonly #running = new Set<Backend>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: BackendPool,
    private readonly opts: ActiveHealthOptions,
  ) {}

  start(): void {
    if (this.opts.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => this.checkAll(), this.opts.intervalMs);
    this.#timer.unref();
    this.checkAll();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One round of checks (skips a backend whose previous check is still running). */
  checkAll(): void {
    for (const b of this.pool.all()) {
      if (!b.discovered || this.#running.has(b)) continue;
      this.#running.add(b);
      void probe(b, this.opts.path, this.opts.timeoutMs).then((error) => {
        this.#running.delete(b);
        this.#record(b, error);
      });
    }
  }

  #record(b: Backend, error: string | undefined): void {
    if (error === undefined) {
      b.healthFailures = 0;
      b.healthSuccesses++;
      b.lastHealthError = undefined;
      if (!b.healthy && b.healthSuccesses >= this.opts.healthyThreshold)
        this.#set(b, true, undefined);
    } else {
      b.healthSuccesses = 0;
      b.healthFailures++;
      b.lastHealthError = error;
      if (b.healthy && b.healthFailures >= this.opts.unhealthyThreshold) this.#set(b, false, error);
    }
  }

  #set(b: Backend, healthy: boolean, reason: string | undefined): void {
    b.healthy = healthy;
    this.pool.invalidate();
    this.opts.onChange?.(b, healthy, reason);
  }
}

/** Resolves with undefined when the backend answered 2xx in time, else with the reason. */
function probe(b: Backend, path: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(reason);
    };
    const req = request(
      {
        host: b.host,
        port: b.port,
        path,
        method: 'GET',
        agent: false,
        headers: { connection: 'close' },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        done(status >= 200 && status < 300 ? undefined : `status ${status}`);
      },
    );
    const timer = setTimeout(() => done(`timed out after ${timeoutMs} ms`), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    req.end();
  });
}
