/**
 * Game-day verdict ready time: what the runner does after the recovery phase from the client
 * history — read it, per-interval client figures, each fault window against the baseline, the
 * booking-history and booking-ledger checkers over a ledger of the same size — then the four
 * reports, for a synthetic 10-minute game day at 200 req/s (120,000 history records). Peer in
 * the same run: reading and JSON-parsing the same history file line by line. The budget
 * is absolute: verdict and reports ready within 10 s of the recovery phase's end. Synthetic
 * history and journal (the Prometheus range queries of a live run are not in this figure).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeBookingHistory } from '@faultline/chaos/gameday/checkers/booking-history';
import { judgeLedger } from '@faultline/chaos/gameday/checkers/booking-ledger';
import type {
  LedgerBooking,
  LedgerSnapshot,
} from '@faultline/chaos/gameday/checkers/booking-ledger-data';
import { clientTimeline, readHistory, windowStats } from '@faultline/chaos/gameday/history';
import type { HistoryRecord } from '@faultline/chaos/gameday/history';
import { writeReports } from '@faultline/chaos/gameday/reports';
import { syntheticJournal } from '@faultline/chaos/gameday/report-synthetic-journal';
import type { Benchmark } from './lib/report.js';

const RATE = 200;
const MINUTES = 10;
const ROUNDS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A history and a ledger of a booking rush: every 10th booking acknowledged and in the ledger. */
function synthetic(t0: number): { lines: string; ledger: LedgerSnapshot } {
  const n = RATE * 60 * MINUTES;
  const out: string[] = [];
  const bookings: LedgerBooking[] = [];
  const writes: LedgerSnapshot['writes'] = [];
  for (let i = 0; i < n; i++) {
    const at = t0 + (i * 1000) / RATE;
    const acked = i % 10 === 0;
    const seatId = `gala-${i}`;
    const r: HistoryRecord = {
      seq: i,
      vu: i % 400,
      scenario: 'booking-rush',
      op: 'book',
      method: 'POST',
      route: '/bookings',
      url: '/bookings',
      seatId,
      userId: `u${i % 400}`,
      scheduledAt: at,
      startedAt: at,
      endedAt: at + 5 + (i % 97),
      outcome: 'ok',
      status: acked ? 201 : 409,
      ...(acked ? { bookingId: `b${i}`, fencingToken: 1 } : {}),
    };
    out.push(JSON.stringify(r));
    if (acked) {
      const createdAt = new Date(at).toISOString();
      bookings.push({
        bookingId: `b${i}`,
        seatId,
        userId: r.userId!,
        fencingToken: 1,
        status: 'booked',
        createdAt,
      });
      writes.push({
        id: `${Math.floor(at)}-${i}`,
        op: 'book',
        seatId,
        bookingId: `b${i}`,
        token: 1,
      });
    }
  }
  const seats = bookings.map((b) => ({ seatId: b.seatId, bookingId: b.bookingId, lastToken: 1 }));
  return { lines: `${out.join('\n')}\n`, ledger: { writes, bookings, seats } };
}

const bench: Benchmark = {
  name: 'gameday',
  description: `game-day verdict and reports from a ${MINUTES}-minute, ${RATE} req/s history vs reading and parsing it`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-bench-gameday-'));
    try {
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      const { lines, ledger } = synthetic(t0);
      const file = join(dir, 'history.jsonl');
      await writeFile(file, lines);
      const end = t0 + MINUTES * 60_000;
      const journal = syntheticJournal({ rate: RATE, stepMs: 2000, clientIntervalMs: 2000 });
      const verdict: number[] = [];
      const total: number[] = [];
      const peer: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const p0 = performance.now();
        const text = await readFile(file, 'utf8');
        let parsed = 0;
        for (const l of text.split('\n'))
          if (l) parsed += (JSON.parse(l) as { seq: number }).seq >= 0 ? 1 : 0;
        peer.push(performance.now() - p0);
        if (parsed === 0) throw new Error('the peer parsed nothing');

        const v0 = performance.now();
        const history = await readHistory(file);
        clientTimeline(history, t0, end, 2000);
        const base = windowStats(history, t0, t0 + 120_000);
        for (const f of [180_000, 300_000, 420_000]) windowStats(history, t0 + f, t0 + f + 60_000);
        const h = judgeBookingHistory(history, ledger.bookings, { from: t0, to: end });
        const l = judgeLedger(ledger);
        if (h.status !== 'pass' || l.status !== 'pass' || base.requests === 0)
          throw new Error(
            `synthetic history judged ${h.status}/${l.status}: ${h.summary} ${l.summary}`,
          );
        const v1 = performance.now();
        await writeReports(journal, join(dir, `r${i}`));
        verdict.push(v1 - v0);
        total.push(performance.now() - v0);
      }
      return {
        name: 'gameday',
        figures: {
          'history records': RATE * 60 * MINUTES,
          'verdict from history (ms, median)': median(verdict),
          'verdict + reports (ms, median)': median(total),
          'peer: read + JSON.parse the history (ms, median)': median(peer),
          'verdict / peer': median(verdict) / median(peer),
        },
        budgets: [
          {
            name: 'verdict and reports ready after recovery',
            value: median(total),
            op: '<=',
            limit: 10_000,
            unit: ' ms',
            peer: 'absolute bound (issue 15)',
          },
        ],
        notes: [
          `synthetic history (${RATE * 60 * MINUTES} booking records, every 10th acknowledged) and synthetic journal; ${ROUNDS} rounds`,
          'not included: the Prometheus range queries of a live run (one per SLO and window, a few hundred points each)',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
