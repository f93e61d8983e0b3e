/**
 * Booking: bookings/s and lock-acquire p99 at 1, 8 and 64 concurrent clients on 100 seats,
 * with fencing on against the same workload with fencing off, in the same run. Each client
 * loops: book a random seat; on 201, cancel it (so seats free up again). Lock-acquire time is
 * the service's own `Server-Timing: lock;dur=` per booking attempt. Budget: fencing costs
 * under 15 % throughput at every concurrency.
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
const DURATION_MS = 1500;
const WARMUP_MS = 300;
/**
 * Short alternating on/off runs per level: bursts of noise from other work on shared cores
 * then hit both arms alike, and the spread of per-round ratios shows how noisy the run was.
 */
const ROUNDS = 4;
/** Rounds in which both arms run at the same time, for the budget ratio. */
const PAIRED_ROUNDS = 2;

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

interface RunFigures {
  bookingsPerSec: number;
  lockP99Ms: number;
  attempts: number;
  errors: number;
}

/** `clients` loops for DURATION_MS against `svc`, booking seats of `show` and cancelling them. */
async function runLoad(svc: NodeService, show: string, clients: number): Promise<RunFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const lockMs: number[] = [];
  let booked = 0;
  let attempts = 0;
  let errors = 0;
  let measuring = false;
  const end = Date.now() + WARMUP_MS + DURATION_MS;
  setTimeout(() => (measuring = true), WARMUP_MS);
  const client = async (c: number) => {
    while (Date.now() < end) {
      const seat = 1 + Math.floor(Math.random() * SEATS);
      const body = JSON.stringify({ seatId: `${show}-${seat}`, userId: `bench-${c}` });
      const a = await send(agent, svc.port, 'POST', '/bookings', body);
      if (measuring) {
        attempts++;
        if (a.lockMs !== undefined) lockMs.push(a.lockMs);
        if (a.status === 201) booked++;
        else if (a.status !== 409 && a.status !== 423) errors++;
      }
      if (a.status === 201) {
        const { bookingId } = JSON.parse(a.body) as { bookingId: string };
        await send(agent, svc.port, 'DELETE', `/bookings/${bookingId}`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  agent.destroy();
  return {
    bookingsPerSec: booked / (DURATION_MS / 1000),
    lockP99Ms: percentile(lockMs, 99),
    attempts,
    errors,
  };
}

const bench: Benchmark = {
  name: 'booking',
  description: 'bookings/s and lock-acquire p99 at 1/8/64 clients on 100 seats: fencing on vs off',
  async run(): Promise<BenchResult> {
    const redis = await startRedis();
    const services: NodeService[] = [];
    try {
      const start = (fencing: 'on' | 'off', show: string) =>
        startNodeService({
          entry: ENTRY,
          prefix: 'BOOKING',
          noTelemetry: true,
          env: {
            BOOKING_REDIS_URL: redis.url,
            BOOKING_FENCING: fencing,
            BOOKING_SHOWS: `${show}:${SEATS}`,
            BOOKING_LOCK_WAIT_MS: '1000',
            BOOKING_RATE_LIMIT_BURST: '1000000',
            BOOKING_RATE_LIMIT_PER_SECOND: '1000000',
            BOOKING_DRAIN_MS: '0',
            LOG_LEVEL: 'error',
          },
        });
      const on = await start('on', 'fenced');
      services.push(on);
      const off = await start('off', 'unfenced');
      services.push(off);

      const figures: Record<string, number | string> = {};
      const budgets: Budget[] = [];
      let errors = 0;
      for (const clients of LEVELS) {
        const runs: { on: RunFigures; off: RunFigures }[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate which arm goes first, so drift on a shared machine hits both alike.
          const first = round % 2 === 0;
          const a = await runLoad(first ? on : off, first ? 'fenced' : 'unfenced', clients);
          const b = await runLoad(first ? off : on, first ? 'unfenced' : 'fenced', clients);
          const run = first ? { on: a, off: b } : { on: b, off: a };
          runs.push(run);
          errors += run.on.errors + run.off.errors;
        }
        const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
        const mean = (xs: number[]) => sum(xs) / xs.length;
        figures[`bookings/s fencing on, ${clients} clients`] = mean(
          runs.map((r) => r.on.bookingsPerSec),
        );
        figures[`bookings/s fencing off, ${clients} clients`] = mean(
          runs.map((r) => r.off.bookingsPerSec),
        );
        figures[`lock-acquire p99 ms fencing on, ${clients} clients`] = mean(
          runs.map((r) => r.on.lockP99Ms),
        );
        figures[`lock-acquire p99 ms fencing off, ${clients} clients`] = mean(
          runs.map((r) => r.off.lockP99Ms),
        );
        const roundRatios = runs.map((r) => r.on.bookingsPerSec / r.off.bookingsPerSec);
        figures[`sequential on/off ratio range, ${clients} clients`] =
          `${Math.min(...roundRatios).toFixed(2)}..${Math.max(...roundRatios).toFixed(2)}`;
        // The budget ratio: both arms loaded at the same moment, so whatever else runs on the
        // machine slows both alike (sequential rounds swing by tens of percent on shared cores).
        const paired: { on: RunFigures; off: RunFigures }[] = [];
        for (let round = 0; round < PAIRED_ROUNDS; round++) {
          // Alternate which arm's clients start first (an A/A run showed an order bias).
          const arms = [
            () => runLoad(on, 'fenced', clients),
            () => runLoad(off, 'unfenced', clients),
          ];
          const [x, y] = await Promise.all(
            round % 2 === 0 ? arms.map((f) => f()) : arms.reverse().map((f) => f()),
          );
          const [pOn, pOff] = round % 2 === 0 ? [x!, y!] : [y!, x!];
          paired.push({ on: pOn, off: pOff });
          errors += pOn.errors + pOff.errors;
        }
        figures[`paired bookings/s on | off, ${clients} clients`] =
          `${mean(paired.map((r) => r.on.bookingsPerSec)).toFixed(0)} | ${mean(paired.map((r) => r.off.bookingsPerSec)).toFixed(0)}`;
        budgets.push({
          name: `fenced/unfenced bookings/s at ${clients} clients (paired)`,
          value:
            sum(paired.map((r) => r.on.bookingsPerSec)) /
            sum(paired.map((r) => r.off.bookingsPerSec)),
          op: '>=',
          limit: 0.85,
        });
      }
      figures['unexpected answers (not 201/409/423)'] = errors;
      return {
        name: 'booking',
        figures,
        budgets,
        notes: [
          `${SEATS} seats; each client books a random seat and cancels it on 201; ${DURATION_MS / 1000} s per run after ${WARMUP_MS} ms warm-up`,
          `figures: mean of ${ROUNDS} alternating sequential on/off rounds per level`,
          `budget: ${PAIRED_ROUNDS} paired rounds (both arms loaded at once, each with N clients); ratio = total fenced / total unfenced bookings`,
          'lock-acquire = Server-Timing lock;dur from the service (includes waiting for a busy seat)',
          'one redis-server, one booking process per arm, telemetry preload off, rate limit off',
        ],
      };
    } finally {
      for (const s of services) await s.stop();
      await redis.stop();
    }
  },
};

export default bench;
