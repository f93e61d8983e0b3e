/**
 * Telemetry's cost on routes that do work: booking `GET /seats/:id` (a Redis read) and `POST
 * /bookings` (rate limit, Redis lock, fencing token, ledger write, release) through the gateway,
 * three booking replicas and the gateway started as the local platform starts them. Arms:
 * `kit` (tracing at the default sampling exporting OTLP to a real receiver, RED metrics),
 * `off` (FAULTLINE_TELEMETRY=off on every process) and, as a tracked peer, the OpenTelemetry
 * Node auto-instrumentation started as its README says, exporting to the same receiver.
 *
 * Throughput: wrk closed loop at saturation. Added latency: p99 at a paced rate of about half
 * the `off` arm's saturation (wrk Lua delay(), random pauses: see randomPacing), where queueing
 * does not hide what a request costs. Paired rounds, each arm right after the other in a
 * rotated order; verdicts are medians of the per-round ratios (single rounds on this shared
 * 2-core machine vary by ±15 %).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SAMPLING_RATIO } from '@faultline/kit/telemetry';
import { startRedis } from '@faultline/kit/testing/redis-server';
import { startBookingStack, type BookingStack, type TracingMode } from './lib/booking-stack.js';
import { startTraceReceiver } from './lib/trace-receiver.js';
import { measureCpu, type ProcessGroups } from './lib/process-cpu.js';
import {
  bookEverySeatScript,
  describeRandomPacing,
  readSeatsScript,
  runWrkScript,
  type TalliedRun,
} from './lib/wrk-scripts.js';
import { percentile, type Benchmark, type BenchResult, type Budget } from './lib/report.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const CONNECTIONS = 16;
const SECONDS = 4;
const WARMUP_SECONDS = 3;
const ROUNDS = 7;
const PACE_MS = 10;
/** Seats per show (the catalogue's maximum): every POST run books a show of its own. */
const SEATS = 100_000;
/** Users the bookings are spread over, so the per-user rate limit (10/s) never answers 429. */
const USERS = 5000;
const ARMS: readonly TracingMode[] = ['kit', 'off', 'otel-auto'];
/**
 * Parts of the kit arm, measured saturated beside it (no budget of their own): where its cost
 * lies — propagation and instrumentations alone (nothing sampled), or recording spans without
 * exporting them; what remains is the export (batching, serialising, posting, the receiver).
 */
const PARTS: readonly TracingMode[] = ['kit-unsampled', 'kit-no-export'];
const SATURATED_ARMS: readonly TracingMode[] = [...ARMS, ...PARTS];
/** POST runs: a warm-up per arm, then a saturated (and for ARMS a paced) run per arm and round. */
const SHOWS = ARMS.length * (1 + 2 * ROUNDS) + PARTS.length * (1 + ROUNDS);

interface Route {
  name: string;
  ok: number;
  /** The wrk script; `nextShow` gives a show no run has booked yet. */
  script(nextShow: () => string, paceMs?: number): string;
}
const ROUTES: Route[] = [
  { name: 'GET /seats/:id', ok: 200, script: (_, pace) => readSeatsScript('gala', SEATS, pace) },
  {
    name: 'POST /bookings',
    ok: 201,
    script: (nextShow, pace) => bookEverySeatScript(nextShow(), USERS, pace),
  },
];

/** A run, and the CPU (seconds) each group of processes spent during it. */
type MeasuredRun = TalliedRun & { cpu: Record<string, number> };
type Runs = Record<TracingMode, MeasuredRun[]>;
const emptyRuns = (): Runs => ({
  kit: [],
  off: [],
  'otel-auto': [],
  'kit-unsampled': [],
  'kit-no-export': [],
});
const median = (xs: number[]) => percentile(xs, 50);
const fmt = (xs: number[], digits = 2) => xs.map((x) => x.toFixed(digits)).join(', ');
const range = (xs: number[], digits = 2) =>
  `${Math.min(...xs).toFixed(digits)}..${Math.max(...xs).toFixed(digits)}`;

function statusSummary(runs: TalliedRun[]): string {
  const all = new Map<number, number>();
  for (const r of runs) for (const [s, n] of r.statuses) all.set(s, (all.get(s) ?? 0) + n);
  return [...all]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
}

const unexpected = (runs: TalliedRun[], ok: number) =>
  runs.reduce(
    (n, r) => n + r.socketErrors + [...r.statuses].reduce((m, [s, c]) => m + (s === ok ? 0 : c), 0),
    0,
  );

const bench: Benchmark = {
  name: 'telemetry',
  description:
    'booking GET /seats/:id and POST /bookings through the gateway: kit telemetry on vs FAULTLINE_TELEMETRY=off, OTel auto-instrumentation as a tracked peer',
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-telemetry-bench-'));
    const redis = await startRedis();
    const receiver = await startTraceReceiver();
    const stacks = new Map<TracingMode, BookingStack>();
    let show = 0;
    const nextShow = () => {
      if (show >= SHOWS) throw new Error(`only ${SHOWS} shows for the POST runs`);
      return `p${show++}`;
    };
    try {
      const shows = ['gala', ...Array.from({ length: SHOWS }, (_, i) => `p${i}`)]
        .map((s) => `${s}:${SEATS}`)
        .join(',');
      for (const mode of SATURATED_ARMS)
        stacks.set(
          mode,
          await startBookingStack({
            root: ROOT,
            mode,
            redisPort: redis.port,
            otlpEndpoint: receiver.endpoint,
            shows,
          }),
        );
      let runNo = 0;
      const load = async (
        mode: TracingMode,
        route: Route,
        seconds: number,
        paced?: number,
      ): Promise<MeasuredRun> => {
        const stack = stacks.get(mode)!;
        const groups: ProcessGroups = {
          ...stack.pids,
          redis: [redis.process.pid],
          ...(receiver.pid === undefined ? {} : { receiver: [receiver.pid] }),
        };
        const cpu = measureCpu(groups);
        const run = await runWrkScript({
          url: stack.url,
          connections: paced ?? CONNECTIONS,
          durationSec: seconds,
          scriptFile: join(dir, `run-${runNo++}.lua`),
          script: route.script(nextShow, paced === undefined ? undefined : PACE_MS),
        });
        return { ...run, cpu: cpu() };
      };

      const saturated = new Map<Route, Runs>(ROUTES.map((r) => [r, emptyRuns()]));
      const paced = new Map<Route, Runs>(ROUTES.map((r) => [r, emptyRuns()]));
      const pacedConnections = new Map<Route, number>();
      for (const route of ROUTES) {
        // Warm-up (JIT, connection pools); the off arm's rate sets the paced load.
        const warm = new Map<TracingMode, MeasuredRun>();
        for (const mode of SATURATED_ARMS) warm.set(mode, await load(mode, route, WARMUP_SECONDS));
        const halfRate = warm.get('off')!.requestsPerSec / 2;
        pacedConnections.set(route, Math.max(1, Math.round((halfRate * PACE_MS) / 1000)));
      }
      for (let r = 0; r < ROUNDS; r++) {
        const rotate = (arms: readonly TracingMode[]) =>
          arms.map((_, i) => arms[(i + r) % arms.length]!);
        for (const route of ROUTES) {
          const [sat, lat] = [saturated.get(route)!, paced.get(route)!];
          for (const mode of rotate(SATURATED_ARMS))
            sat[mode].push(await load(mode, route, SECONDS));
          const connections = pacedConnections.get(route);
          for (const mode of rotate(ARMS))
            lat[mode].push(await load(mode, route, SECONDS, connections));
        }
      }
      const received = await receiver.received();

      const figures: BenchResult['figures'] = {};
      const budgets: Budget[] = [];
      let errors = 0;
      const peer = 'the same processes with FAULTLINE_TELEMETRY=off';
      for (const route of ROUTES) {
        const sat = saturated.get(route)!;
        const lat = paced.get(route)!;
        const ratio = (mode: TracingMode) =>
          sat[mode].map((x, i) => x.requestsPerSec / sat.off[i]!.requestsPerSec);
        const added = (mode: TracingMode) => lat[mode].map((x, i) => x.p99 - lat.off[i]!.p99);
        const [kitRatio, autoRatio] = [ratio('kit'), ratio('otel-auto')];
        const [kitAdded, autoAdded] = [added('kit'), added('otel-auto')];
        const n = route.name;
        figures[`${n}: rps kit | off | otel-auto`] = ARMS.map((m) =>
          median(sat[m].map((x) => x.requestsPerSec)).toFixed(0),
        ).join(' | ');
        figures[`${n}: kit/off per round`] = fmt(kitRatio);
        figures[`${n}: kit/off median (range)`] =
          `${median(kitRatio).toFixed(3)} (${range(kitRatio)})`;
        figures[`${n}: otel-auto/off per round`] = fmt(autoRatio);
        figures[`${n}: otel-auto/off median (range)`] =
          `${median(autoRatio).toFixed(3)} (${range(autoRatio)})`;
        for (const part of PARTS) {
          const parts = ratio(part);
          figures[`${n}: ${part}/off median (range)`] =
            `${median(parts).toFixed(3)} (${range(parts)})`;
        }
        figures[`${n}: saturated p99 ms kit | off | otel-auto`] = ARMS.map((m) =>
          median(sat[m].map((x) => x.p99)).toFixed(2),
        ).join(' | ');
        figures[`${n}: paced (${pacedConnections.get(route)} conn.) rps kit | off | auto`] =
          ARMS.map((m) => median(lat[m].map((x) => x.requestsPerSec)).toFixed(0)).join(' | ');
        figures[`${n}: paced p50 ms kit | off | otel-auto`] = ARMS.map((m) =>
          median(lat[m].map((x) => x.p50)).toFixed(3),
        ).join(' | ');
        figures[`${n}: paced p99 ms kit | off | otel-auto`] = ARMS.map((m) =>
          median(lat[m].map((x) => x.p99)).toFixed(3),
        ).join(' | ');
        figures[`${n}: kit p99 added per round (ms)`] = fmt(kitAdded, 3);
        figures[`${n}: otel-auto p99 added per round (ms)`] = fmt(autoAdded, 3);
        // CPU per request of each group (all rounds together): which process pays for
        // telemetry. Saturated, a slower arm also batches less per wakeup, so its figure holds
        // that amplification too; paced, every arm serves the same rate and the difference is
        // the work itself. The receiver is shared; in the off arm it only works off what the
        // arm before left in its batch.
        const groups = Object.keys(sat.off[0]!.cpu);
        const cpuPerRequest = (runs: Runs, modes: readonly TracingMode[]) =>
          modes
            .map((m) => {
              const requests = runs[m].reduce((s, x) => s + x.requests, 0);
              const perRequest = (g: string) =>
                ((runs[m].reduce((s, x) => s + (x.cpu[g] ?? 0), 0) / requests) * 1e6).toFixed(0);
              return `${m} ${groups.map(perRequest).join(' | ')}`;
            })
            .join('; ');
        figures[`${n}: saturated CPU µs/request ${groups.join(' | ')}`] = cpuPerRequest(
          sat,
          SATURATED_ARMS,
        );
        figures[`${n}: paced CPU µs/request ${groups.join(' | ')}`] = cpuPerRequest(lat, ARMS);
        for (const mode of SATURATED_ARMS) {
          const runs = [...sat[mode], ...lat[mode]];
          figures[`${n}: statuses, ${mode}`] = statusSummary(runs);
          errors += unexpected(runs, route.ok);
        }
        budgets.push(
          {
            name: `${n} throughput, kit telemetry on/off`,
            value: median(kitRatio),
            op: '>=',
            limit: 0.9,
            peer,
          },
          {
            name: `${n} p99 added by kit telemetry (paced, half saturation)`,
            value: median(kitAdded),
            op: '<=',
            limit: 1,
            unit: ' ms',
            peer,
          },
          {
            name: `${n} throughput, OTel auto-instrumentation/off`,
            value: median(autoRatio),
            op: '>=',
            limit: 0.9,
            peer,
            gate: false,
          },
          {
            name: `${n} p99 added by OTel auto-instrumentation (paced)`,
            value: median(autoAdded),
            op: '<=',
            limit: 1,
            unit: ' ms',
            peer,
            gate: false,
          },
        );
      }
      figures['answers not 200 (GET) / 201 (POST), socket errors'] = errors;
      budgets.push({ name: 'unexpected answers under load', value: errors, op: '<=', limit: 0 });
      return {
        name: 'telemetry',
        figures,
        budgets,
        notes: [
          `${stacks.get('kit')!.processes} processes per arm (3 booking replicas + the gateway, command and env from the local pod plan; no agents), one redis-server for all arms (each POST run books a show of its own, ${SEATS} seats, one new seat per request, users spread over ${USERS})`,
          `kit: telemetry preload, sampling ${DEFAULT_SAMPLING_RATIO} (the default), OTLP/HTTP export; off: FAULTLINE_TELEMETRY=off on every process; RED metrics (Prometheus, exemplars) are on in every arm — the services have no switch for them`,
          `parts of kit, saturated runs only, no budget: kit-unsampled (OTEL_TRACES_SAMPLER_ARG=0: propagation and instrumentations, nothing recorded), kit-no-export (spans recorded at ${DEFAULT_SAMPLING_RATIO}, no exporter); the gap between kit-no-export and kit is the export`,
          'otel-auto: node --require @opentelemetry/auto-instrumentations-node/register instead of the kit preload, OTEL_TRACES_EXPORTER=otlp to the same receiver (its defaults otherwise: every instrumentation, parent-based always-on sampling); metrics and logs exporters none',
          `trace receiver: ${receiver.description}; received: ${received}`,
          `throughput: wrk -t1 -c${CONNECTIONS} -d${SECONDS}s closed loop, after a ${WARMUP_SECONDS} s warm-up per arm and route; latency: the same arm paced (${describeRandomPacing(PACE_MS)}; connections = half the off arm's warm-up rate × ${PACE_MS} ms)`,
          'CPU µs/request: user + system time of each process group (/proc/<pid>/stat, 10 ms ticks) over the runs, divided by their requests; the receiver and redis are shared by every arm',
          `${ROUNDS} paired rounds, each arm right after the other (order rotated per round); verdicts: median of the per-round ratios (throughput) and differences (p99)`,
        ],
      };
    } finally {
      await Promise.all([...stacks.values()].map((s) => s.stop()));
      await receiver.stop();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
