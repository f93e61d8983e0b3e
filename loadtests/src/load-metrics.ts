/**
 * The embedded generator's metrics under the names k6's Prometheus remote-write output uses
 * (`k6_http_reqs_total`, `k6_http_req_duration_seconds`, `k6_http_req_failed_rate`,
 * `k6_dropped_iterations_total`, `k6_vus`, tags as labels), so one dashboard serves both
 * runners. k6 sends the duration as a native histogram; Prometheus 2.x text scrapes carry only
 * classic buckets, so here it is `k6_http_req_duration_seconds_bucket` (see README for a query
 * that reads both). Own registry, served on a loopback port and found by Prometheus through a
 * file_sd file.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CompiledStep } from './compiled-scenario.js';

/** What the gauges read at scrape time. */
export interface LiveState {
  inFlight: number;
  /** Per journey step. */
  failures: readonly { failed: number; total: number }[];
}

interface RequestSeries {
  reqs: { inc(): void };
  duration: { observe(v: number): void };
  iterations: { inc(): void };
}

const REQUEST_LABELS = [
  'scenario',
  'op',
  'method',
  'route',
  'status',
  'expected_response',
] as const;
/** Seconds; up to the longest timeout a scenario allows, finer where SLO thresholds sit. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30,
];

export class LoadMetrics {
  readonly registry = new Registry();
  readonly reqs = new Counter({
    name: 'k6_http_reqs_total',
    help: 'HTTP requests sent (k6 http_reqs), by outcome labels.',
    labelNames: REQUEST_LABELS,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'k6_http_req_duration_seconds',
    help: 'Request duration from its scheduled start to the end of the response (k6 http_req_duration).',
    labelNames: REQUEST_LABELS,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly failedRate = new Gauge({
    name: 'k6_http_req_failed_rate',
    help: 'Share of requests failed so far (status >= 500 or no response), as k6 http_req_failed.',
    labelNames: ['scenario', 'op', 'method', 'route'] as const,
    registers: [this.registry],
    // Computed at scrape time, not per request.
    collect: () => {
      if (!this.#live) return;
      const live = this.#live();
      this.#steps.forEach((s, i) => {
        const f = live.failures[i]!;
        if (f.total > 0)
          this.failedRate.set(
            { scenario: this.#scenario, op: s.op, method: s.method, route: s.route },
            f.failed / f.total,
          );
      });
    },
  });
  readonly dropped = new Counter({
    name: 'k6_dropped_iterations_total',
    help: 'Requests not started because the in-flight bound was reached (k6 dropped_iterations).',
    labelNames: ['scenario'] as const,
    registers: [this.registry],
  });
  readonly iterations = new Counter({
    name: 'k6_iterations_total',
    help: 'Journey steps completed (k6 iterations).',
    labelNames: ['scenario'] as const,
    registers: [this.registry],
  });
  readonly vus = new Gauge({
    name: 'k6_vus',
    help: 'Virtual users busy with a request (in flight).',
    labelNames: ['scenario'] as const,
    registers: [this.registry],
    collect: () => {
      if (this.#live) this.vus.set({ scenario: this.#scenario }, this.#live().inFlight);
    },
  });
  readonly vusMax = new Gauge({
    name: 'k6_vus_max',
    help: 'The in-flight bound (k6 maxVUs).',
    labelNames: ['scenario'] as const,
    registers: [this.registry],
  });
  readonly scheduleLag = new Histogram({
    name: 'faultline_load_schedule_lag_seconds',
    help: 'How late a request started against its scheduled time (the generator keeping up).',
    labelNames: ['scenario'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });

  #server: Server | undefined;
  #sdFile: string | undefined;
  #scenario = '';
  #steps: readonly Pick<CompiledStep, 'op' | 'method' | 'route'>[] = [];
  #live: (() => LiveState) | undefined;
  readonly #children = new Map<number, RequestSeries>();

  /** Binds the metrics to a run: its steps, and live state read at scrape time. */
  bind(
    scenario: string,
    steps: readonly Pick<CompiledStep, 'op' | 'method' | 'route'>[],
    maxVUs: number,
    live: () => LiveState,
  ): void {
    this.#scenario = scenario;
    this.#steps = steps;
    this.#live = live;
    this.vusMax.set({ scenario }, maxVUs);
    this.dropped.inc({ scenario }, 0);
  }

  /** One finished request; label sets are resolved once per step and status (the hot path). */
  request(stepIndex: number, status: number, failed: boolean, seconds: number): void {
    const key = stepIndex * 1000 + status;
    let c = this.#children.get(key);
    if (!c) {
      const s = this.#steps[stepIndex]!;
      const l = {
        scenario: this.#scenario,
        op: s.op,
        method: s.method,
        route: s.route,
        status: String(status),
        expected_response: String(!failed),
      };
      c = {
        reqs: this.reqs.labels(l),
        duration: this.duration.labels(l),
        iterations: this.iterations.labels({ scenario: this.#scenario }),
      };
      this.#children.set(key, c);
    }
    c.reqs.inc();
    c.duration.observe(seconds);
    c.iterations.inc();
  }

  /** Serves /metrics on 127.0.0.1 (`port` 0 = a free one); returns `host:port`. */
  async serve(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('metrics server has no port');
    return `127.0.0.1:${addr.port}`;
  }

  /** Announces `hostPort` to Prometheus as `<dir>/load-<runId>.json` (file_sd, job faultline-load). */
  announce(dir: string, runId: string, hostPort: string, scenario: string): string {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `load-${runId}.json`);
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify([{ targets: [hostPort], labels: { testid: runId, load_scenario: scenario } }]),
    );
    renameSync(`${file}.tmp`, file);
    this.#sdFile = file;
    return file;
  }

  async close(): Promise<void> {
    if (this.#sdFile) rmSync(this.#sdFile, { force: true });
    const server = this.#server;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}
