/**
 * A synthetic, deterministic game-day journal of any length and sampling step, shaped like the
 * runner's: three phases, overlapping faults with dips in the SLIs, alerts, leader changes,
 * slow traces. The report tests render it (chart data, the 2 MB budget for a 10-minute game day)
 * and `make bench BENCH=gameday` times the reports on it; no playground is needed for either.
 */
import { seededRandom } from '@faultline/kit/seeded-random';
import { JOURNAL_VERSION } from './journal.js';
import type { ClientSample, FaultWindow, Journal, SloSample, SloVerdict } from './journal.js';

export interface SyntheticJournalOptions {
  /** Baseline, chaos and recovery lengths in ms (default 2 min, 6 min, 2 min: a 10-minute day). */
  baselineMs?: number;
  chaosMs?: number;
  recoveryMs?: number;
  /** Prometheus range-query step (default 2000 ms, the playground's scrape interval). */
  stepMs?: number;
  /** Client-history aggregation interval (default 1000 ms). */
  clientIntervalMs?: number;
  /** Offered load in requests per second (default 200). */
  rate?: number;
  /** Slowest traces kept per fault window (default 10). */
  tracesPerFault?: number;
  /** Seed of the noise (default 7). */
  seed?: number;
  /** Game-day start, epoch ms (default 2026-12-01T15:00:00Z). */
  startedAt?: number;
}

// As in slos/: names repeat across services, the Sloth id `<service>-<name>` is unique.
const SLOS = [
  { name: 'availability', service: 'booking', objective: 0.999, sliKind: 'availability' },
  { name: 'latency', service: 'booking', objective: 0.99, sliKind: 'latency' },
  { name: 'freshness', service: 'scheduler', objective: 0.99, sliKind: 'ratio' },
] as const;
const idOf = (s: { service: string; name: string }) => `${s.service}-${s.name}`;

const FAULTS = [
  {
    name: 'pause-booking-past-lock-ttl',
    type: 'pod-pause',
    target: 'booking-1',
    at: 0.05,
    len: 0.25,
  },
  { name: 'redis-latency-200ms', type: 'latency', target: 'booking-2', at: 0.2, len: 0.35 },
  { name: 'kill-booking', type: 'pod-kill', target: 'booking-0', at: 0.7, len: 0.05 },
] as const;

/** Builds the journal; every figure derives from the options and the seed. */
export function syntheticJournal(options: SyntheticJournalOptions = {}): Journal {
  const baselineMs = options.baselineMs ?? 120_000;
  const chaosMs = options.chaosMs ?? 360_000;
  const recoveryMs = options.recoveryMs ?? 120_000;
  const stepMs = options.stepMs ?? 2000;
  const clientIntervalMs = options.clientIntervalMs ?? 1000;
  const rate = options.rate ?? 200;
  const tracesPerFault = options.tracesPerFault ?? 10;
  const random = seededRandom(options.seed ?? 7);
  const t0 = options.startedAt ?? Date.UTC(2026, 11, 1, 15, 0, 0);
  const baselineAt = t0 + 4000;
  const chaosAt = baselineAt + baselineMs;
  const recoveryAt = chaosAt + chaosMs;
  const loadEnd = recoveryAt + recoveryMs;
  const endedAt = loadEnd + 2500;

  const faults: FaultWindow[] = FAULTS.map((f, i) => {
    const startedAt = chaosAt + Math.round(f.at * chaosMs);
    return {
      experimentId: `gd-${String(i + 1).padStart(2, '0')}-${f.name}`,
      name: f.name,
      source: `chaos/examples/${f.name}.yaml`,
      faultType: f.type,
      requested: `${f.type} on ${f.target}`,
      targets: [f.target],
      scheduledOffsetMs: startedAt - chaosAt,
      startedAt,
      endedAt: startedAt + Math.max(1000, Math.round(f.len * chaosMs)),
      enginePhase: 'Completed',
      verification: [
        { pod: f.target, outcome: 'confirmed', observed: `${f.type} seen by the agent` },
      ],
      observed: {
        status: 'confirmed',
        evidence: [`engine: ${f.type} confirmed on ${f.target}`, 'client: p99 rose in the window'],
        client: { errorShare: 0.004, p99Ms: 240, baselineErrorShare: 0, baselineP99Ms: 18 },
      },
    };
  });
  /** How hard the faults active at `at` hit (0 = none). */
  const impact = (at: number): number =>
    faults.filter((f) => at >= (f.startedAt ?? 0) && at < (f.endedAt ?? 0)).length;

  const slo: SloSample[] = [];
  for (const s of SLOS)
    for (let at = baselineAt; at < loadEnd; at += stepMs) {
      const hit = impact(at);
      const errorRatio =
        at < baselineAt + 3 * stepMs ? null : Math.min(1, hit * 0.004 + random() * 0.0004);
      const budget = 1 - s.objective;
      slo.push({
        slo: idOf(s), // the runner names samples and verdicts by Sloth id
        at,
        sli: errorRatio === null ? null : 1 - errorRatio,
        errorRatio,
        burnRate: {
          '5m': errorRatio === null ? null : errorRatio / budget,
          '1h': errorRatio === null ? null : (errorRatio * 0.6) / budget,
        },
      });
    }

  const client: ClientSample[] = [];
  for (let at = baselineAt; at < loadEnd; at += clientIntervalMs) {
    const hit = impact(at);
    const requests = Math.round((rate * clientIntervalMs) / 1000);
    const errors = Math.round(requests * hit * 0.003 * random());
    const unknown = hit > 0 && random() < 0.1 ? 1 : 0;
    client.push({
      at,
      intervalMs: clientIntervalMs,
      requests,
      errors,
      unknown,
      dropped: 0,
      errorShare: (errors + unknown) / requests,
      p99Ms: 15 + random() * 6 + hit * (180 + random() * 60),
    });
  }

  const verdicts: SloVerdict[] = SLOS.map((s) => {
    const mine = slo.filter((x) => x.slo === idOf(s) && x.errorRatio !== null);
    const worst = mine.reduce((a, b) =>
      (b.burnRate['5m'] ?? 0) > (a.burnRate['5m'] ?? 0) ? b : a,
    );
    const total = Math.round((rate * (loadEnd - baselineAt)) / 1000);
    const bad = Math.round(total * 0.0007);
    return {
      slo: idOf(s),
      objective: s.objective,
      met: true,
      sli: {
        overall: 1 - bad / total,
        byPhase: { baseline: 0.9999, chaos: 0.9985, recovery: 0.9998 },
      },
      events: { total, bad },
      budget: {
        gameDayShare: bad / (total * (1 - s.objective)),
        thirtyDayShare:
          ((bad / (total * (1 - s.objective))) * (loadEnd - baselineAt)) / (30 * 86_400_000),
      },
      worstBurnRate: {
        '5m': { value: worst.burnRate['5m'] ?? 0, at: worst.at },
        '1h': { value: worst.burnRate['1h'] ?? 0, at: worst.at },
      },
      detection: faults.map((f) => ({
        experimentId: f.experimentId,
        alert: 'SLOBurnRatePageGameDay',
        detectedAt: (f.startedAt ?? 0) + 14_000,
        timeToDetectMs: 14_000,
      })),
      recovery: faults.map((f) => ({
        experimentId: f.experimentId,
        recoveredAt: (f.endedAt ?? 0) + 8000,
        fromFaultEndMs: 8000,
        fromFaultStartMs: (f.endedAt ?? 0) + 8000 - (f.startedAt ?? 0),
        evaluations: 3,
      })),
    };
  });

  const leaders = ['scheduler-0', 'scheduler-1', 'scheduler-2'];
  const samples: Journal['leadership']['samples'] = [];
  const terms: Journal['leadership']['terms'] = [];
  for (let at = baselineAt, term = 40; at < loadEnd; at += stepMs) {
    const gap = faults.some(
      (f) => at >= (f.startedAt ?? 0) && at < (f.startedAt ?? 0) + 3 * stepMs,
    );
    if (gap && terms.at(-1)?.lastSeen !== undefined && samples.at(-1)?.leader !== null) term++;
    const leader = gap ? null : (leaders[term % leaders.length] ?? null);
    samples.push({ at, leader, term: gap ? null : term });
    if (leader === null) continue;
    const last = terms.at(-1);
    if (last?.term === term) last.lastSeen = at;
    else terms.push({ term, leader, firstSeen: at, lastSeen: at });
  }

  return {
    version: JOURNAL_VERSION,
    spec: {
      file: 'gamedays/booking-under-chaos.yaml',
      name: 'booking-under-chaos',
      description: 'Synthetic game day for report tests and benchmarks',
      hypothesis: {
        statement:
          'booking stays within its SLOs and never double-books while a replica pauses past its lock TTL and Redis slows down',
        slos: SLOS.map(idOf),
        steadyState: [
          { name: 'booking-ready', query: 'sum(up{job="booking"})', tolerance: '>= 3' },
        ],
      },
      durations: { baselineMs, chaosMs, recoveryMs },
      phaseScale: 1,
      schedule: faults.map((f) => ({
        experiment: f.name,
        file: f.source,
        startOffsetMs: f.scheduledOffsetMs,
        durationMs: (f.endedAt ?? 0) - (f.startedAt ?? 0),
      })),
      checkers: ['booking-ledger', 'booking-history', 'scheduler-terms'],
      negativeControl: false,
      overrides: [],
      seed: options.seed ?? 7,
    },
    platform: 'local',
    startedAt: t0,
    endedAt,
    phases: [
      { name: 'preflight', startedAt: t0, endedAt: baselineAt },
      { name: 'baseline', startedAt: baselineAt, endedAt: chaosAt, plannedMs: baselineMs },
      { name: 'chaos', startedAt: chaosAt, endedAt: recoveryAt, plannedMs: chaosMs },
      { name: 'recovery', startedAt: recoveryAt, endedAt: loadEnd, plannedMs: recoveryMs },
      { name: 'checkers', startedAt: loadEnd, endedAt },
    ],
    slos: SLOS.map((s) => ({
      ...s,
      id: idOf(s),
      description: `${s.service} ${s.name}`,
      window: '30d',
      file: `slos/${idOf(s)}.yaml`,
    })),
    preflight: [
      { name: 'playground ready', ok: true, detail: 'all pods ready', at: t0 + 500 },
      { name: 'SLO rules loaded', ok: true, detail: '3 rule groups', at: t0 + 900 },
    ],
    steadyState: (['before', 'after'] as const).map((when) => ({
      name: 'booking-ready',
      query: 'sum(up{job="booking"})',
      tolerance: '>= 3',
      when,
      ok: true,
      samples: [{ at: when === 'before' ? chaosAt - 1000 : loadEnd - 1000, value: 3 }],
      detail: '3 >= 3',
    })),
    load: {
      scenario: 'booking-rush',
      rate,
      runner: 'embedded',
      target: 'http://127.0.0.1:18080',
      startedAt: baselineAt,
      stoppedAt: loadEnd,
      requests: {
        scheduled: client.reduce((n, c) => n + c.requests, 0),
        ok: client.reduce((n, c) => n + c.requests - c.errors - c.unknown, 0),
        error: client.reduce((n, c) => n + c.errors, 0),
        unknown: client.reduce((n, c) => n + c.unknown, 0),
        dropped: 0,
      },
    },
    timeline: { stepMs, slo, client },
    faults,
    alerts: [
      {
        name: 'SLOBurnRatePageGameDay',
        labels: { sloth_service: 'booking', sloth_slo: 'availability', severity: 'page' },
        severity: 'page',
        firing: faults.map((f) => ({
          start: (f.startedAt ?? 0) + 14_000,
          end: (f.endedAt ?? 0) + 6000,
        })),
        duringFaults: faults.map((f) => f.experimentId),
      },
      {
        name: 'SLOBurnRateTicketGameDay',
        labels: { sloth_service: 'booking', sloth_slo: 'latency', severity: 'ticket' },
        severity: 'ticket',
        firing: [{ start: (faults[1]?.startedAt ?? 0) + 30_000 }],
        duringFaults: [faults[1]?.experimentId ?? ''],
      },
    ],
    leadership: { samples, terms },
    checkers: [
      {
        name: 'booking-ledger',
        status: 'pass',
        summary: 'no seat with two active bookings; every fenced write newer than the last',
        checked: 4210,
        unknownOperations: 0,
        durationMs: 310,
      },
      {
        name: 'booking-history',
        status: 'pass',
        summary: 'every acknowledged booking is in the ledger with its fencing token',
        checked: 4210,
        unknownOperations: 12,
        durationMs: 420,
      },
      {
        name: 'scheduler-terms',
        status: 'pass',
        summary: 'one leader per term; job log gap-free and never written by a stale term',
        checked: terms.length,
        unknownOperations: 0,
        durationMs: 40,
      },
    ],
    verdicts,
    findings: [],
    traces: faults.map((f, i) => ({
      experimentId: f.experimentId,
      traces: Array.from({ length: tracesPerFault }, (_, k) => ({
        traceId: (i * 1000 + k + 1).toString(16).padStart(32, 'a'),
        durationMs: Math.round(900 - k * 60 + random() * 20),
        startedAt: (f.startedAt ?? 0) + k * 700,
        rootSpan: { service: 'gateway', name: 'POST /bookings' },
        spanCount: 6 + (k % 4),
        hasError: k % 3 === 0,
      })),
    })),
    verdict: {
      overall: 'PASS',
      reasons: ['every SLO met; every checker passed'],
      harnessErrors: [],
    },
    exitCode: 0,
    historyFile: '.state/gamedays/booking-under-chaos/history.jsonl',
    outDir: '.state/gamedays/booking-under-chaos',
    links: { prometheus: 'http://127.0.0.1:19090' },
  };
}
