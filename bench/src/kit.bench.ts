/**
 * The kit's cost: a kit-based hello service with telemetry and metrics on (tracing at the
 * default sampling ratio, exporting over OTLP/HTTP to a local receiver) vs the same service
 * with both off, same machine, same run, same load. Also: process start → /readyz = 200.
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_SAMPLING_RATIO } from '@faultline/kit/telemetry';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { startOtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import { freePort } from '@faultline/kit/testing/free-port';
import { startProcess } from '@faultline/kit/testing/child-process';
import { runWrk, type WrkResult } from './lib/wrk.js';
import { percentile, type Benchmark } from './lib/report.js';

const HELLO = fileURLToPath(
  new URL('../../../services/kit/dist/test/fixtures/hello-service.js', import.meta.url),
);
const CONNECTIONS = 32;
const SECONDS = 4;
// Paired rounds, each arm right after the other; the verdict is the median of the per-round
// ratios. Measured here, single rounds on a shared 2-core VM ranged from 0.6 to 1.1 of each
// other for identical arms, so three rounds were not enough to trust a 0.85 budget.
const ROUNDS = 7;
const STARTUP_TRIALS = 7;

async function load(svc: NodeService): Promise<WrkResult> {
  return runWrk({ url: `${svc.url}/items/42`, connections: CONNECTIONS, durationSec: SECONDS });
}

/** Spawn → first `/readyz` 200, polling every 5 ms, telemetry preload on. */
async function startupMs(endpoint: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const proc = startProcess(
    process.execPath,
    ['--import', '@faultline/kit/telemetry-preload', HELLO],
    {
      env: { ...process.env, HELLO_PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    },
  );
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (proc.child.exitCode !== null) throw new Error(`hello exited:\n${proc.output()}`);
      if (performance.now() - started > 15_000) throw new Error('hello never became ready');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await proc.stop();
  }
}

const bench: Benchmark = {
  name: 'kit',
  description: 'hello service: telemetry + metrics on vs off (throughput, p99); start-up to ready',
  async run() {
    // The receiver only counts: parsing is the collector's work, not the service's.
    const receiver = await startOtlpReceiver({ discard: true });
    const on = await startNodeService({
      entry: HELLO,
      prefix: 'HELLO',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, HELLO_METRICS: 'on' },
    });
    const off = await startNodeService({
      entry: HELLO,
      prefix: 'HELLO',
      env: { FAULTLINE_TELEMETRY: 'off', HELLO_METRICS: 'off' },
    });
    const onRuns: WrkResult[] = [];
    const offRuns: WrkResult[] = [];
    try {
      await runWrk({ url: `${on.url}/items/1`, connections: CONNECTIONS, durationSec: 2 }); // warm-up (JIT)
      await runWrk({ url: `${off.url}/items/1`, connections: CONNECTIONS, durationSec: 2 });
      // Interleaved rounds, so drift on a shared machine hits both arms alike.
      for (let i = 0; i < ROUNDS; i++) {
        onRuns.push(await load(on));
        offRuns.push(await load(off));
      }
    } finally {
      await on.stop();
      await off.stop();
    }
    const startups: number[] = [];
    for (let i = 0; i < STARTUP_TRIALS; i++) startups.push(await startupMs(receiver.endpoint));
    const exported = { ...receiver.counts };
    await receiver.stop();

    const median = (xs: number[]) => percentile(xs, 50);
    const rpsOn = median(onRuns.map((r) => r.requestsPerSec));
    const rpsOff = median(offRuns.map((r) => r.requestsPerSec));
    const ratios = onRuns.map((r, i) => r.requestsPerSec / offRuns[i]!.requestsPerSec);
    const ratio = median(ratios);
    const p99On = median(onRuns.map((r) => r.p99));
    const p99Off = median(offRuns.map((r) => r.p99));
    const errors = [...onRuns, ...offRuns].reduce((a, r) => a + r.socketErrors + r.non2xx, 0);
    return {
      name: 'kit',
      notes: [
        `wrk -c${CONNECTIONS} -t1 -d${SECONDS}s GET /items/:id, ${ROUNDS} paired rounds (on, then off); throughput verdict = median of the per-round on/off ratios`,
        `"on": telemetry preload, sampling ratio ${DEFAULT_SAMPLING_RATIO} (the default), OTLP/HTTP export to a local receiver that counts bytes without parsing, RED + client metrics`,
        '"off": FAULTLINE_TELEMETRY=off and no RED metrics',
        `start-up: spawn → /readyz 200 with telemetry on, ${STARTUP_TRIALS} trials`,
      ],
      figures: {
        'rps on': rpsOn,
        'rps off': rpsOff,
        'on/off per round, lowest': Math.min(...ratios),
        'on/off per round, highest': Math.max(...ratios),
        'p50 on (ms)': median(onRuns.map((r) => r.p50)),
        'p50 off (ms)': median(offRuns.map((r) => r.p50)),
        'p99 on (ms)': p99On,
        'p99 off (ms)': p99Off,
        'p99 difference (ms)': p99On - p99Off,
        'OTLP export requests': exported.requests,
        'OTLP bytes exported (MiB)': exported.bytes / 2 ** 20,
        'errors (socket + non-2xx)': errors,
        'start-up to ready p50 (ms)': median(startups),
        'start-up to ready max (ms)': Math.max(...startups),
      },
      budgets: [
        // Tracked, not a gate (issue 16): a hello route does no work, so there the span path of
        // a sampled request is most of what a request costs; telemetry.bench.ts gates the cost
        // on booking's real routes through the gateway.
        {
          name: 'hello route throughput on/off',
          value: ratio,
          op: '>=',
          limit: 0.85,
          peer: 'the same service with telemetry and RED metrics off',
          gate: false,
        },
        {
          name: 'start-up to /readyz p50',
          value: median(startups),
          op: '<=',
          limit: 1000,
          unit: ' ms',
        },
        { name: 'errors under load', value: errors, op: '<=', limit: 0 },
      ],
    };
  },
};
export default bench;
