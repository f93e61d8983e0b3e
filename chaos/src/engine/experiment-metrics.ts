/**
 * `faultline_experiment_*` metrics of one engine run, on their own registry, served on an
 * ephemeral loopback port. Prometheus finds the port through a file_sd file the engine writes
 * next to the playground's scrape config and deletes when it ends.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';

export class ExperimentMetrics {
  readonly registry = new Registry();
  readonly running = new Gauge({
    name: 'faultline_experiment_running',
    help: '1 while the experiment runs (faults may be active), 0 once it has ended.',
    labelNames: ['experiment', 'name', 'fault'] as const,
    registers: [this.registry],
  });
  readonly applied = new Counter({
    name: 'faultline_experiment_faults_applied_total',
    help: 'Faults applied to a target (one per agent fault or kill).',
    labelNames: ['experiment', 'fault'] as const,
    registers: [this.registry],
  });
  readonly recovered = new Counter({
    name: 'faultline_experiment_faults_recovered_total',
    help: 'Faults recovered (removed from the agent, or one-shot and done).',
    labelNames: ['experiment', 'fault'] as const,
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'faultline_experiment_faults_failed_total',
    help: 'Fault operations that failed, by stage: apply, renew or recover.',
    labelNames: ['experiment', 'fault', 'stage'] as const,
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'faultline_experiment_verifications_total',
    help: 'Verification results per target: verified, not-verified or unverifiable.',
    labelNames: ['experiment', 'fault', 'outcome'] as const,
    registers: [this.registry],
  });
  #server: Server | undefined;
  #sdFile: string | undefined;

  /** Serves /metrics on 127.0.0.1 (free port); returns the `host:port`. */
  async serve(): Promise<string> {
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
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('metrics server has no port');
    return `127.0.0.1:${addr.port}`;
  }

  /** Announces `hostPort` to Prometheus through `<dir>/chaos-<id>.json` (file_sd). */
  announce(dir: string, experimentId: string, hostPort: string): void {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `chaos-${experimentId}.json`);
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify([{ targets: [hostPort], labels: { experiment: experimentId } }]),
    );
    renameSync(`${file}.tmp`, file);
    this.#sdFile = file;
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
