/**
 * The embedded open-model load generator. Requests start at their scheduled times whether or
 * not earlier ones have finished; latency counts from the scheduled time, so a stalled server
 * shows in the percentiles instead of silently slowing the arrivals (no coordinated omission).
 * A request is run by a free virtual user (its own cookie jar, its own user id); when all
 * `maxInFlight` are busy it is dropped and counted, as k6's arrival-rate executors do. Every
 * scheduled request — dropped ones too — becomes one history record.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { seededRandom } from '@faultline/kit/seeded-random';
import type { CompiledScenario } from './compiled-scenario.js';
import { CookieJar } from './cookie-jar.js';
import { HistoryWriter, type HistoryRecord, type Outcome } from './history.js';
import { JourneyPlanner, SESSION_COOKIE } from './journey.js';
import { LoadMetrics } from './load-metrics.js';
import { RunStats, trendStats } from './run-stats.js';
import { compileScenarioFile, scheduleOf } from './scenario-resolve.js';
import { sendPlanned, type SendResult } from './send-request.js';
import { buildSummary, type LoadSummary } from './summary.js';
import { evaluateThresholds } from './threshold-eval.js';

export type { LoadSummary } from './summary.js';

export interface LoadOptions {
  /** Scenario name (`steady-mix`) or path to a scenario YAML file. */
  scenario: string;
  /** Gateway base URL, e.g. `http://127.0.0.1:8080`. */
  target: string;
  /** Requests per second (the peak, for a ramping scenario); default: the scenario's. */
  rate?: number;
  /** `30s`, or ms; default: the scenario's. */
  duration?: string | number;
  /** JSON Lines history file (one record per scheduled request). */
  historyFile?: string;
  /** Stops scheduling; requests in flight finish (bounded by the timeout) and are recorded. */
  signal?: AbortSignal;
  /** Called about once per `progressIntervalMs` while the run lasts. */
  onProgress?: (p: LoadProgress) => void;
  progressIntervalMs?: number;
  /** Port for /metrics on 127.0.0.1; 0 = a free one; unset = no metrics server. */
  metricsPort?: number;
  /** Directory for a file_sd JSON (`load-<runId>.json`) announcing /metrics while running. */
  prometheusSdDir?: string;
  /** Share of requests sent with a sampled `traceparent` (their trace id is recorded). Default 0.1. */
  traceSampleRatio?: number;
  /** SLO directory (default: the slos/ workspace). */
  slosDir?: string;
  /** Use this compiled scenario instead of reading `scenario` (tests, the k6 JSON). */
  compiled?: CompiledScenario;
}

/** Live figures over the last progress interval (rates) and the run so far (totals). */
export interface LoadProgress {
  elapsedMs: number;
  scheduled: number;
  started: number;
  /** Requests started per second over the last interval. */
  rate: number;
  inFlight: number;
  /** Percentiles (ms, from scheduled start) of requests that finished in the last interval. */
  p50: number;
  p99: number;
  /** Share of requests finished in the last interval that failed (5xx or no response). */
  errorShare: number;
  dropped: number;
}

interface VirtualUser {
  id: number;
  userId: string;
  jar: CookieJar;
}

const epochNow = () => performance.timeOrigin + performance.now();

/** Runs a scenario to its end (or `signal`); resolves with a k6-shaped summary. */
export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const scenario = o.compiled ?? compileScenarioFile(o.scenario, o.slosDir);
  const { schedule, peakPerSecond } = scheduleOf(scenario, {
    ...(o.rate !== undefined ? { rate: o.rate } : {}),
    ...(o.duration !== undefined ? { duration: o.duration } : {}),
  });
  const runId = `${scenario.name}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const random = seededRandom(scenario.seed);
  const planner = new JourneyPlanner(scenario, random, runId);
  const traceRandom = seededRandom(scenario.seed + 1);
  const traceRatio = o.traceSampleRatio ?? 0.1;
  const stats = new RunStats(scenario.journey);
  const metrics = new LoadMetrics();
  const droppedSeries = metrics.dropped.labels({ scenario: scenario.name });
  const lagSeries = metrics.scheduleLag.labels({ scenario: scenario.name });
  const history = o.historyFile ? new HistoryWriter(o.historyFile) : undefined;
  const pool = new Pool(o.target, {
    // One connection per possible in-flight request: a request must never wait in the pool's
    // queue, or the pool would close the model behind our back.
    connections: scenario.arrival.maxVUs,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    // A swamped server accepts slowly: connecting counts against the timeout too.
    connect: { timeout: scenario.timeoutMs },
  });
  const free: VirtualUser[] = [];
  for (let id = scenario.arrival.maxVUs; id >= 1; id--)
    free.push({ id, userId: `load-vu${id}`, jar: new CookieJar() });
  const failedCounts = scenario.journey.map(() => ({ failed: 0, total: 0 }));
  metrics.bind(scenario.name, scenario.journey, scenario.arrival.maxVUs, () => ({
    inFlight: scenario.arrival.maxVUs - free.length,
    failures: failedCounts,
  }));
  const outcomes: Record<Outcome, number> = { ok: 0, error: 0, unknown: 0, dropped: 0 };
  const lags: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let scheduled = 0;
  let started = 0;
  let aborted = false;
  let stopping = false;
  let startedOnTime = 0;

  if (o.metricsPort !== undefined) {
    const hostPort = await metrics.serve(o.metricsPort);
    if (o.prometheusSdDir) metrics.announce(o.prometheusSdDir, runId, hostPort, scenario.name);
  }

  const record = (r: HistoryRecord) => {
    outcomes[r.outcome]++;
    history?.write(r);
  };

  const finish = (
    vu: VirtualUser,
    plannedAt: number,
    stepIndex: number,
    base: HistoryRecord,
    res: SendResult,
  ) => {
    const failed = res.status === undefined || res.status >= 500;
    const durationMs = res.endedAt - plannedAt;
    stats.done(stepIndex, durationMs, failed);
    metrics.request(stepIndex, res.status ?? 0, failed, durationMs / 1000);
    const fc = failedCounts[stepIndex]!;
    fc.total++;
    if (failed) fc.failed++;
    record({
      ...base,
      attempt: res.attempts,
      startedAt: res.startedAt,
      endedAt: res.endedAt,
      outcome: res.outcome,
      ...(res.status !== undefined ? { status: res.status } : {}),
      ...(res.error !== undefined ? { error: res.error } : {}),
      ...res.fields,
    });
    free.push(vu);
  };

  const launch = (seq: number, dueEpoch: number) => {
    scheduled++;
    const vu = free.pop();
    // A dropped request still gets a plan (and a user), so the history says what was not sent.
    const plan = planner.plan(seq, vu?.userId ?? 'load-vu0', vu?.jar.has(SESSION_COOKIE) ?? false);
    const base: HistoryRecord = {
      seq,
      vu: vu?.id ?? 0,
      scenario: scenario.name,
      op: plan.step.op,
      method: plan.step.method,
      route: plan.step.route,
      url: `${o.target}${plan.path}`,
      ...(plan.step.op === 'book' || plan.step.op === 'read-seat' ? { seatId: plan.seatId } : {}),
      userId: vu?.userId ?? 'load-vu0',
      ...(plan.idempotencyKey !== undefined ? { idempotencyKey: plan.idempotencyKey } : {}),
      scheduledAt: dueEpoch,
      outcome: 'dropped',
    };
    if (!vu) {
      stats.drop(plan.stepIndex);
      droppedSeries.inc();
      record(base);
      return;
    }
    started++;
    const lag = epochNow() - dueEpoch;
    lags.push(lag);
    lagSeries.observe(lag / 1000);
    if (performance.now() - t0 <= schedule.durationMs) startedOnTime++;
    const traced = traceRandom() < traceRatio;
    const traceId = traced ? randomBytes(16).toString('hex') : undefined;
    const p = sendPlanned(plan, {
      pool,
      jar: vu.jar,
      timeoutMs: scenario.timeoutMs,
      ...(traceId ? { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } : {}),
    }).then(
      (res) => finish(vu, dueEpoch, plan.stepIndex, traceId ? { ...base, traceId } : base, res),
      // sendPlanned classifies every error itself; this only guards against a bug losing a record.
      (e: unknown) =>
        finish(vu, dueEpoch, plan.stepIndex, base, {
          outcome: 'unknown',
          attempts: 1,
          error: `generator: ${String(e)}`,
          startedAt: epochNow(),
          endedAt: epochNow(),
          fields: {},
        }),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const t0 = performance.now();
  const t0Epoch = performance.timeOrigin + t0;
  let lastProgress = { at: t0, started: 0, doneIndex: 0 };
  const progressEvery = o.progressIntervalMs ?? 1000;
  const thresholdsAbort = () => {
    const elapsed = performance.now() - t0;
    const failing = evaluateThresholds(scenario.thresholds, stats, elapsed).find(
      (t) => t.abortOnFail && !t.ok && elapsed >= t.delayAbortEvalMs,
    );
    return failing !== undefined;
  };
  const progressTimer = setInterval(() => {
    const now = performance.now();
    const window = stats.durationsOf(stats.stepsMatching({}), lastProgress.doneIndex);
    const f = stats.failures(stats.stepsMatching({}), lastProgress.doneIndex);
    const t = trendStats(window);
    o.onProgress?.({
      elapsedMs: now - t0,
      scheduled,
      started,
      rate: ((started - lastProgress.started) * 1000) / (now - lastProgress.at),
      inFlight: scenario.arrival.maxVUs - free.length,
      p50: t.med,
      p99: t.percentile(99),
      errorShare: f.total === 0 ? 0 : f.failed / f.total,
      dropped: stats.dropped,
    });
    lastProgress = { at: now, started, doneIndex: stats.completed };
    if (!stopping && thresholdsAbort()) {
      aborted = true;
      stopping = true;
    }
  }, progressEvery);

  const onAbort = () => {
    stopping = true;
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) stopping = true;

  await new Promise<void>((resolveRun) => {
    let next = 0;
    let due = schedule.dueAt(0);
    const tick = () => {
      const elapsed = performance.now() - t0;
      while (!stopping && due !== undefined && due <= elapsed) {
        launch(next, t0Epoch + due);
        next++;
        due = schedule.dueAt(next);
      }
      if (stopping || due === undefined) {
        resolveRun();
        return;
      }
      setTimeout(tick, Math.max(0, due - (performance.now() - t0) - 0.5));
    };
    tick();
  });
  const scheduleEnd = performance.now();
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  clearInterval(progressTimer);
  o.signal?.removeEventListener('abort', onAbort);
  await pool.close();
  await history?.close();
  await metrics.close();

  // Rates over the scheduled span: the requests that started, per second of schedule.
  const elapsedMs = Math.max(
    scheduleEnd - t0,
    aborted || o.signal?.aborted ? 0 : schedule.durationMs,
  );
  return buildSummary({
    scenario,
    target: o.target,
    stats,
    thresholds: evaluateThresholds(scenario.thresholds, stats, elapsedMs),
    elapsedMs,
    scheduled,
    started,
    startedOnTime,
    // A stopped run is judged on the part of the schedule it ran.
    scheduleMs: stopping ? Math.min(schedule.durationMs, scheduleEnd - t0) : schedule.durationMs,
    targetRate: peakPerSecond,
    outcomes,
    scheduleLagsMs: lags,
    aborted,
    ...(o.historyFile ? { historyFile: o.historyFile } : {}),
  });
}
