/**
 * A real Prometheus (Debian's `prometheus`) on a free port, scraping the targets a test
 * gives it, with exemplar storage on; queried through its HTTP API like Grafana would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startProcess, waitFor, waitForPort, type ManagedProcess } from './child-process.js';

export interface ScrapeJob {
  job: string;
  targets: string[];
  labels?: Record<string, string>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  readonly url: string;
  readonly process: ManagedProcess;
  /** Instant query; throws with Prometheus's error text on a bad query. */
  query(promql: string): Promise<PromSample[]>;
  /** Series matching a selector, over the last few minutes. */
  series(match: string): Promise<Record<string, string>[]>;
  queryExemplars(promql: string): Promise<
    {
      seriesLabels: Record<string, string>;
      exemplars: { labels: Record<string, string>; value: string }[];
    }[]
  >;
  /** Waits until `promql` returns at least one sample. */
  waitForQuery(promql: string, timeoutMs?: number): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  jobs: ScrapeJob[],
  scrapeIntervalMs = 500,
): Promise<PrometheusServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'faultline-prom-'));
  const config = {
    global: {
      scrape_interval: `${scrapeIntervalMs}ms`,
      scrape_timeout: `${Math.min(scrapeIntervalMs, 400)}ms`,
    },
    scrape_configs: jobs.map((j) => ({
      job_name: j.job,
      static_configs: [{ targets: j.targets, labels: j.labels ?? {} }],
    })),
  };
  // JSON is YAML: no YAML writer needed for a generated config.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const proc = startProcess('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--enable-feature=exemplar-storage',
    '--web.enable-remote-write-receiver',
    '--log.level=warn',
  ]);
  await waitForPort(port, '127.0.0.1', 20_000, proc);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, 'prometheus ready', 20_000, 100);

  const api = async <T>(path: string, params: Record<string, string>): Promise<T> => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success')
      throw new Error(`prometheus ${path} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
    return body.data;
  };
  const query = async (promql: string) =>
    (await api<{ result: PromSample[] }>('/api/v1/query', { query: promql })).result;
  return {
    url,
    process: proc,
    query,
    series: (match) =>
      api('/api/v1/series', { 'match[]': match, start: String(Date.now() / 1000 - 600) }),
    queryExemplars: (promql) =>
      api('/api/v1/query_exemplars', {
        query: promql,
        start: String(Date.now() / 1000 - 600),
        end: String(Date.now() / 1000 + 60),
      }),
    waitForQuery: (promql, timeoutMs = 15_000) =>
      waitFor(
        async () => {
          const r = await query(promql);
          return r.length > 0 ? r : undefined;
        },
        `prometheus query ${promql}`,
        timeoutMs,
        200,
      ),
    async stop() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
