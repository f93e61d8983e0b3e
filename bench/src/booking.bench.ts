/**
 * Booking: bookings/s and lock-acquire p99 at 1, 8 and 64 concurrent clients on 100 seats,
 * with fencing on against the same workload with fencing off, in the same run. Each client
 * loops: book a random seat; on 201, cancel it (so seats free up again). Lock-acquire time is
 * the service's own `Server-Timing: lock;dur=` per booking attempt. Budget: fencing costs
 * under 15 % throughput at every concurrency.
 *
 * How the comparison is kept fair on a small shared machine: three arms — fencing on, fencing
 * off, and a control that is fencing off again in a process of its own. Every round starts
 * fresh processes for all three, in a rotated order (which process started first once biased
 * the result by 13 %). Within a round the arms take turns in short slices (one arm loaded at a
 * time, in a rotated order), so a burst of other work on the machine falls on all arms alike.
 * The budget is the median over rounds of each round's on/off ratio; the control's off/off
 * ratio, reported the same way, shows how far two identical arms drift apart in this run
 * (the noise floor).
 */
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@faultline/kit/testing/redis-server';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { percentile, type Benchmark, type Budget, type BenchResult } from './lib/report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ENTRY = join(ROOT, 'services', 'booking', 'dist', 'src', 'main.js');
const LEVELS = [1, 8, 64];
const SEATS = 100;
/** Per round and level, each arm is measured in CYCLES slices of SLICE_MS (after SETTLE_MS). */
const CYCLES = 4;
const SLICE_MS = 250;
const SETTLE_MS = 50;
/** Unmeasured load on each fresh process before a round, so JIT warm-up is not measured. */
const WARMUP_MS = 400;
/** Every order of the three arms, used in turn for process start and for slice order. */
const ORDERS = [
  [0, 1, 2],
  [1, 2, 0],
  [2, 0, 1],
  [0, 2, 1],
  [2, 1, 0],
  [1, 0, 2],
] as const;
const ROUNDS = 6;

type Arm = 'on' | 'off' | 'control';
const ARMS: readonly Arm[] = ['on', 'off', 'control'];
/** The control is a second fencing-off process: same code, same settings, other process. */
const FENCING: Record<Arm, 'on' | 'off'> = { on: 'on', off: 'off', control: 'off' };

interface Answer {
  status: number;
  lockMs: number | undefined;
  body: string;
}

function send(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const timing = /lock;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
          resolve({
            status: res.statusCode ?? 0,
            lockMs: timing ? Number(timing[1]) : undefined,
            body: text,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What one arm did in one round at one level, summed over its slices. */
interface Tally {
  booked: number;
  attempts: number;
  errors: number;
  measuredMs: number;
  lockMs: number[];
}

function emptyTally(): Tally {
  return { booked: 0, attempts: 0, errors: 0, measuredMs: 0, lockMs: [] };
}

/**
 * `clients` loops against `svc` (booking seats of `show`, cancelling each one booked) for
 * SETTLE_MS + `sliceMs`; answers that arrive within the last `sliceMs` are added to `tally`.
 */
async function runSlice(
  svc: NodeService,
  agent: Agent,
  show: string,
  clients: number,
  sliceMs: number,
  tally: Tally | undefined,
): Promise<void> {
  const from = performance.now() + SETTLE_MS;
  const end = from + sliceMs;
  const client = async (c: number) => {
    while (performance.now() < end) {
      const seat = 1 + Math.floor(Math.random() * SEATS);
      const body = JSON.stringify({ seatId: `${show}-${seat}`, userId: `bench-${c}` });
      const a = await send(agent, svc.port, 'POST', '/bookings', body);
      const at = performance.now();
      if (tally && at >= from && at <= end) {
        tally.attempts++;
        if (a.lockMs !== undefined) tally.lockMs.push(a.lockMs);
        if (a.status === 201) tally.booked++;
        else if (a.status !== 409 && a.status !== 423) tally.errors++;
      }
      if (a.status === 201) {
        const { bookingId } = JSON.parse(a.body) as { bookingId: string };
        await send(agent, svc.port, 'POST', `/bookings/${bookingId}/cancel`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  if (tally) tally.measuredMs += sliceMs;
}

const perSec = (t: Tally) => t.booked / (t.measuredMs / 1000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function range(xs: number[]): string {
  return `${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)}`;
}

/** One round's measurements: arm → level → tally. */
type Round = Record<Arm, Map<number, Tally>>;

const bench: Benchmark = {
  name: 'booking',
  description:
    'bookings/s and lock-acquire p99 at 1/8/64 clients on 100 seats: fencing on vs off, with an off/off control',
  async run(): Promise<BenchResult> {
    const redis = await startRedis();
    const live = new Set<NodeService>();
    const start = async (arm: Arm): Promise<NodeService> => {
      const svc = await startNodeService({
        entry: ENTRY,
        prefix: 'BOOKING',
        noTelemetry: true,
        env: {
          BOOKING_REDIS_URL: redis.url,
          BOOKING_FENCING: FENCING[arm],
          // Each arm books its own show, so the arms never contend for the same seats.
          BOOKING_SHOWS: `${arm}:${SEATS}`,
          BOOKING_LOCK_WAIT_MS: '1000',
          BOOKING_RATE_LIMIT_BURST: '1000000',
          BOOKING_RATE_LIMIT_PER_SECOND: '1000000',
          BOOKING_DRAIN_MS: '0',
          LOG_LEVEL: 'error',
        },
      });
      live.add(svc);
      return svc;
    };
    const stop = async (svc: NodeService) => {
      await svc.stop();
      live.delete(svc);
    };
    try {
      const rounds: Round[] = [];
      let errors = 0;
      for (let r = 0; r < ROUNDS; r++) {
        // Fresh processes each round, started one after another in this round's order.
        const services = {} as Record<Arm, NodeService>;
        for (const i of ORDERS[r % ORDERS.length]!) services[ARMS[i]!] = await start(ARMS[i]!);
        const agents = {} as Record<Arm, Agent>;
        for (const arm of ARMS) agents[arm] = new Agent({ keepAlive: true });
        for (const arm of ARMS)
          await runSlice(services[arm], agents[arm], arm, 8, WARMUP_MS, undefined);
        const round: Round = { on: new Map(), off: new Map(), control: new Map() };
        for (const [l, clients] of LEVELS.entries()) {
          for (const arm of ARMS) round[arm].set(clients, emptyTally());
          for (let cycle = 0; cycle < CYCLES; cycle++) {
            for (const i of ORDERS[(r + l + cycle) % ORDERS.length]!) {
              const arm = ARMS[i]!;
              const tally = round[arm].get(clients)!;
              await runSlice(services[arm], agents[arm], arm, clients, SLICE_MS, tally);
            }
          }
          for (const arm of ARMS) errors += round[arm].get(clients)!.errors;
        }
        rounds.push(round);
        for (const arm of ARMS) agents[arm].destroy();
        await Promise.all(Object.values(services).map(stop));
      }

      const figures: Record<string, number | string> = {};
      const budgets: Budget[] = [];
      const of = (arm: Arm, clients: number) => rounds.map((rd) => rd[arm].get(clients)!);
      for (const clients of LEVELS) {
        const [on, off, control] = ARMS.map((arm) => of(arm, clients)) as [
          Tally[],
          Tally[],
          Tally[],
        ];
        const perRound = (a: Tally[], b: Tally[]) => a.map((x, i) => perSec(x) / perSec(b[i]!));
        const fencedRatios = perRound(on, off);
        const controlRatios = perRound(control, off);
        const med = (runs: Tally[], f: (x: Tally) => number, digits: number) =>
          median(runs.map(f)).toFixed(digits);
        figures[`bookings/s on | off | control, ${clients} clients`] = [on, off, control]
          .map((runs) => med(runs, perSec, 0))
          .join(' | ');
        figures[`lock p99 ms on | off, ${clients} clients`] = [on, off]
          .map((runs) => med(runs, (x) => percentile(x.lockMs, 99), 2))
          .join(' | ');
        figures[`on/off median (range), ${clients} clients`] =
          `${median(fencedRatios).toFixed(3)} (${range(fencedRatios)})`;
        figures[`control/off median (range), ${clients} cl.`] =
          `${median(controlRatios).toFixed(3)} (${range(controlRatios)})`;
        budgets.push({
          name: `fenced/unfenced bookings/s at ${clients} clients (median of ${ROUNDS} rounds)`,
          value: median(fencedRatios),
          op: '>=',
          limit: 0.85,
          peer: 'the same service with fencing off',
        });
      }
      figures['answers not 201/409/423'] = errors;
      return {
        name: 'booking',
        figures,
        budgets,
        notes: [
          `${SEATS} seats per arm; each client books a random seat and cancels it on 201`,
          `arms: fencing on, fencing off, control = fencing off in a second process; ${ROUNDS} rounds, each with fresh processes started in a rotated order and warmed up (${WARMUP_MS} ms each)`,
          `per round and level, each arm is measured in ${CYCLES} slices of ${SLICE_MS} ms (after ${SETTLE_MS} ms settling), the arms taking turns in a rotated order, one at a time`,
          'figures and budgets: medians over rounds; ratio = on/off (or control/off) within the same round',
          "a budget ratio inside the control ratio's range is indistinguishable from noise in this run",
          'lock-acquire = Server-Timing lock;dur from the service (includes waiting for a busy seat)',
          'one redis-server shared by the arms, telemetry preload off, rate limit off',
        ],
      };
    } finally {
      await Promise.all([...live].map((s) => s.stop()));
      await redis.stop();
    }
  },
};

export default bench;
