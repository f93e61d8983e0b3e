/**
 * Health probes in the Kubernetes sense. `/livez`: the process can serve (never depends on
 * a dependency — restarting us does not fix Redis). `/readyz`: every registered dependency
 * check passes within its timeout, and we are not shutting down. `/startupz`: start-up
 * finished. Mounted before any fault, rate limit or body parser (see http.ts).
 */
import type { Router } from 'express';
import express from 'express';

export type DependencyCheck = (signal: AbortSignal) => Promise<void>;

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not-ready' | 'shutting-down' | 'starting';
  checks: Record<string, CheckResult>;
  failed: string[];
}

export class Probes {
  private readonly checks = new Map<string, { check: DependencyCheck; timeoutMs: number }>();
  private started = false;
  private shuttingDown = false;

  constructor(private readonly defaultTimeoutMs = 1000) {}

  /** Registers a dependency that readiness waits for (e.g. `redis`: a PING). */
  addCheck(name: string, check: DependencyCheck, timeoutMs = this.defaultTimeoutMs): this {
    this.checks.set(name, { check, timeoutMs });
    return this;
  }

  markStarted(): void {
    this.started = true;
  }

  /** First step of graceful shutdown: readiness fails so traffic moves away. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async readiness(): Promise<ReadinessReport> {
    if (this.shuttingDown) return { status: 'shutting-down', checks: {}, failed: [] };
    if (!this.started) return { status: 'starting', checks: {}, failed: [] };
    const entries = await Promise.all(
      [...this.checks].map(
        async ([name, { check, timeoutMs }]) => [name, await runCheck(check, timeoutMs)] as const,
      ),
    );
    const checks = Object.fromEntries(entries);
    const failed = entries.filter(([, r]) => !r.ok).map(([n]) => n);
    return { status: failed.length === 0 ? 'ready' : 'not-ready', checks, failed };
  }

  router(): Router {
    const r = express.Router();
    r.get('/livez', (_req, res) => {
      res.json({ status: 'alive' });
    });
    r.get('/startupz', (_req, res) => {
      res.status(this.started ? 200 : 503).json({ status: this.started ? 'started' : 'starting' });
    });
    r.get('/readyz', (_req, res, next) => {
      this.readiness().then((report) => {
        res.status(report.status === 'ready' ? 200 : 503).json(report);
      }, next);
    });
    return r;
  }
}

async function runCheck(check: DependencyCheck, timeoutMs: number): Promise<CheckResult> {
  const start = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`timed out after ${timeoutMs} ms`));
          controller.abort(); // after the reject, so the timeout is what gets reported
        }, timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - start) };
  } catch (e) {
    return {
      ok: false,
      ms: Math.round(performance.now() - start),
      error: e instanceof Error ? e.message : String(e),
    };
  } finally {
    clearTimeout(timer);
  }
}
