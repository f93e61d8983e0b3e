/**
 * Runs one game day end to end: preflight (platform ready, SLO rules loaded, overrides match,
 * every experiment's targets resolve within its safety rules); load starts; the baseline must
 * hold the steady state (otherwise INCONCLUSIVE with nothing injected); the chaos schedule
 * runs through the experiment engine under an abort watch; recovery; load stops; checkers;
 * then the journal (every figure the verdict rests on) and the reports.
 */
import { join } from 'node:path';
import type { Slo } from '@faultline/slos/slo';
import { runLoad } from '@faultline/load/run-load';
import { compileScenarioFile } from '@faultline/load/scenario-resolve';
import type { CompiledScenario } from '@faultline/load/compiled-scenario';
import type { LoadProgress, LoadSummary } from '@faultline/load/run-load';
import { abortableSleep } from '../engine/abortable-sleep.js';
import { resolveTargetsOn } from '../experiment/targeting.js';
import { alertsIn, sloIdOf, sloTimeline, sloVerdict } from './analysis.js';
import { readLedger } from './checkers/booking-ledger-data.js';
import type { LedgerSnapshot } from './checkers/booking-ledger-data.js';
import { CHECKERS } from './checkers/index.js';
import { watchGameDayAbort } from './gameday-abort.js';
import { clientTimeline, readHistory, windowStats } from './history.js';
import type { HistoryRecord } from './history.js';
import { JOURNAL_VERSION } from './journal.js';
import type {
  CheckerResult,
  FaultWindow,
  GameDayPhaseName,
  Journal,
  PhaseWindow,
} from './journal.js';
import { LeadershipPoll } from './leadership-poll.js';
import { liveLine } from './live-progress.js';
import type { LiveState } from './live-progress.js';
import type { LoadedGameDay } from './load-gameday.js';
import type { GameDayPlatform } from './platform.js';
import { preflight } from './preflight.js';
import { PrometheusClient } from './prometheus.js';
import { ScheduleRun } from './schedule-run.js';
import { evaluateSteadyState } from './steady-state.js';
import { slowestTraces } from './traces.js';
import { judgeFault, overallVerdict, VERDICT_EXIT_CODES } from './verdict.js';
import type { GrafanaTarget } from '../engine/grafana-annotations.js';

/** Exit code of a refusal (bad spec, safety, overrides that do not match the platform). */
export const EXIT_REFUSED = 2;

export interface GameDayOptions {
  platform: GameDayPlatform;
  loaded: LoadedGameDay;
  /** The hypothesis SLOs, loaded from slos/. */
  slos: readonly Slo[];
  outDir: string;
  say: (line: string) => void;
  /** SIGINT/SIGTERM: abort (recover everything), then judge what was seen. */
  signal?: AbortSignal;
  /** How often a live progress line is printed. Default 5000 ms. */
  progressEveryMs?: number;
  /** How often agent faults are renewed (TTL three times this). Engine default when absent. */
  renewIntervalMs?: number;
  /** Where each experiment's start/end annotations go (read once by the CLI). */
  grafana?: GrafanaTarget;
}

export async function runGameDay(o: GameDayOptions): Promise<Journal> {
  const { platform, loaded, say } = o;
  const spec = loaded.gameDay.spec;
  const prom = new PrometheusClient(platform.prometheusUrl);
  const historyFile = join(o.outDir, 'history.jsonl');
  const harnessErrors: string[] = [];
  const phases: PhaseWindow[] = [];
  const enter = (name: GameDayPhaseName, plannedMs?: number) => {
    const last = phases[phases.length - 1];
    if (last && last.endedAt === undefined) last.endedAt = Date.now();
    const p: PhaseWindow = {
      name,
      startedAt: Date.now(),
      ...(plannedMs === undefined ? {} : { plannedMs }),
    };
    phases.push(p);
    say(`== ${name}${plannedMs === undefined ? '' : ` (${Math.round(plannedMs / 1000)} s)`}`);
    return p;
  };
  const journal: Journal = {
    version: JOURNAL_VERSION,
    spec: {
      file: loaded.file,
      name: loaded.gameDay.metadata.name,
      ...(loaded.gameDay.metadata.description
        ? { description: loaded.gameDay.metadata.description }
        : {}),
      hypothesis: {
        statement: spec.hypothesis.statement,
        slos: spec.hypothesis.slos,
        steadyState: spec.hypothesis.steadyState.map((s) => ({
          name: s.name,
          query: s.promql,
          tolerance: s.tolerance,
        })),
      },
      durations: {
        baselineMs: spec.phases.baseline,
        chaosMs: spec.phases.chaos,
        recoveryMs: spec.phases.recovery,
      },
      phaseScale: loaded.phaseScale,
      schedule: loaded.schedule.map((s) => ({
        experiment: s.experiment.metadata.name,
        ...(s.source === 'inline' ? {} : { file: s.source }),
        startOffsetMs: s.startOffsetMs,
        durationMs: s.durationMs,
      })),
      checkers: spec.checkers,
      negativeControl: spec.negativeControl,
      overrides: Object.entries(spec.overrides).map(([k, v]) => `${k}=${String(v)}`),
      ...(spec.seed === undefined ? {} : { seed: spec.seed }),
    },
    platform: platform.name,
    startedAt: Date.now(),
    endedAt: 0,
    phases,
    slos: o.slos.map((s) => ({
      name: s.name,
      service: s.service,
      id: sloIdOf(s),
      description: s.description,
      objective: s.objective,
      window: s.window,
      sliKind: s.sli.kind,
      file: s.file,
    })),
    preflight: [],
    steadyState: [],
    load: {
      scenario: spec.load.scenario,
      rate: spec.load.rate,
      runner: 'embedded',
      target: platform.gatewayUrl,
      requests: { scheduled: 0, ok: 0, error: 0, unknown: 0, dropped: 0 },
    },
    timeline: { stepMs: 0, slo: [], client: [] },
    faults: [],
    alerts: [],
    leadership: { samples: [], terms: [] },
    checkers: [],
    verdicts: [],
    findings: [],
    traces: [],
    verdict: { overall: 'INCONCLUSIVE', reasons: [], harnessErrors },
    exitCode: 4,
    historyFile,
    outDir: o.outDir,
    links: {
      prometheus: platform.prometheusUrl,
      ...(platform.jaegerUrl ? { jaeger: platform.jaegerUrl } : {}),
    },
  };
  const finish = (overall: Journal['verdict']['overall'], reasons: string[], exitCode?: number) => {
    const last = phases[phases.length - 1];
    if (last && last.endedAt === undefined) last.endedAt = Date.now();
    journal.verdict = { overall, reasons, harnessErrors };
    journal.exitCode = exitCode ?? VERDICT_EXIT_CODES[overall];
    journal.endedAt = Date.now();
    return journal;
  };

  // 1. Preflight: nothing runs unless everything is in place.
  enter('preflight');
  journal.preflight = await preflight(platform, prom, o.slos, spec.overrides);
  for (const l of journal.preflight) say(`${l.ok ? 'ok  ' : 'FAIL'} ${l.name}: ${l.detail}`);
  const refusals: string[] = [];
  for (const s of loaded.schedule) {
    const r = await resolveTargetsOn(platform.driver, s.experiment, {
      defaultNamespace: platform.driver.defaultNamespace,
    });
    if (!r.ok)
      refusals.push(...r.refusals.map((x) => `${s.experiment.metadata.name}: ${x.message}`));
  }
  const overridesLine = journal.preflight.find((l) => l.name.startsWith('overrides'));
  if (refusals.length > 0 || overridesLine?.ok === false) {
    phases[0]!.cutShort = 'refused';
    const why = [...refusals, ...(overridesLine?.ok === false ? [overridesLine.detail] : [])];
    for (const r of why) say(`REFUSED: ${r}`);
    return finish(
      'INCONCLUSIVE',
      why.map((r) => `refused: ${r}`),
      EXIT_REFUSED,
    );
  }
  const failed = journal.preflight.filter((l) => !l.ok);
  if (failed.length > 0) {
    phases[0]!.cutShort = 'preflight failed';
    return finish(
      'INCONCLUSIVE',
      failed.map((l) => `preflight: ${l.name}: ${l.detail}`),
    );
  }

  // 2. Load for the whole game day (a little longer: stopped explicitly after recovery).
  const total = spec.phases.baseline + spec.phases.chaos + spec.phases.recovery;
  const loadStop = new AbortController();
  let loadProgress: LoadProgress | undefined;
  journal.load.startedAt = Date.now();
  const load: Promise<LoadSummary | undefined> = Promise.resolve()
    .then(() =>
      runLoad({
        scenario: spec.load.scenario,
        compiled: withoutAbortingThresholds(compileScenarioFile(spec.load.scenario)),
        target: platform.gatewayUrl,
        rate: spec.load.rate,
        duration: total + 30_000,
        historyFile,
        signal: loadStop.signal,
        metricsPort: 0,
        ...(platform.scrapeTargetsDir ? { prometheusSdDir: platform.scrapeTargetsDir } : {}),
        onProgress: (p) => {
          loadProgress = p;
        },
      }),
    )
    .catch((e: unknown) => {
      harnessErrors.push(`load: ${(e as Error).message}`);
      say(`HARNESS: load failed: ${(e as Error).message}`);
      return undefined;
    });

  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) return;
    journal.abort = { at: Date.now(), trigger: 'signal', reason: 'stop requested (signal)' };
    say('stop requested: recovering everything');
    stop.abort();
  };
  if (o.signal?.aborted) onSignal();
  else o.signal?.addEventListener('abort', onSignal, { once: true });

  const schedule = new ScheduleRun(platform, loaded.schedule, say, o.renewIntervalMs, o.grafana);
  const live: LiveState = {
    phase: 'baseline',
    phaseStart: 0,
    phaseEnd: 0,
    gameDayEnd: Date.now() + total,
    activeFaults: [],
    alerts: [],
  };
  const progressEvery = o.progressEveryMs ?? 5000;
  const progressTimer = setInterval(() => {
    live.activeFaults = schedule.active();
    if (loadProgress)
      live.load = {
        rate: loadProgress.rate,
        p99: loadProgress.p99,
        errorShare: loadProgress.errorShare,
      };
    void liveLine(prom, o.slos, live).then(say, () => {});
  }, progressEvery);
  const leadership = new LeadershipPoll(() => platform.podUrls('scheduler'));
  leadership.start();

  const stopLoad = async () => {
    loadStop.abort();
    const summary = await load;
    journal.load.stoppedAt = Date.now();
    if (summary) journal.load.summary = summary;
  };
  const cleanup = () => {
    clearInterval(progressTimer);
    journal.leadership = leadership.stop();
    o.signal?.removeEventListener('abort', onSignal);
  };

  // 3. Baseline: the steady state must hold through it (after a warm-up for rate windows).
  const baseline = enter('baseline', spec.phases.baseline);
  Object.assign(live, {
    phase: 'baseline',
    phaseStart: baseline.startedAt,
    phaseEnd: baseline.startedAt + spec.phases.baseline,
  });
  const warmUp = Math.min(spec.phases.baseline * 0.5, 20_000);
  await abortableSleep(warmUp, stop.signal);
  const evalEvery = Math.max(2000, spec.phases.baseline / 10);
  while (!stop.signal.aborted && Date.now() < live.phaseEnd) {
    await evaluateSteadyState(prom, spec.hypothesis.steadyState, 'before', journal.steadyState);
    await abortableSleep(Math.min(evalEvery, Math.max(0, live.phaseEnd - Date.now())), stop.signal);
  }
  if (spec.hypothesis.steadyState.length > 0)
    await evaluateSteadyState(prom, spec.hypothesis.steadyState, 'before', journal.steadyState);
  const unsteady = journal.steadyState.filter((s) => s.when === 'before' && !s.ok);
  if (unsteady.length > 0 || stop.signal.aborted) {
    baseline.cutShort = stop.signal.aborted ? 'stopped' : 'not steady before chaos';
    await stopLoad();
    cleanup();
    for (const r of await readHistory(historyFile).catch(() => [])) {
      journal.load.requests.scheduled++;
      journal.load.requests[r.outcome]++;
    }
    for (const s of unsteady) say(`NOT STEADY: ${s.name}: ${s.detail}`);
    if (stop.signal.aborted)
      return finish('ABORTED', ['stopped during the baseline; nothing was injected']);
    return finish(
      'INCONCLUSIVE',
      unsteady.map((s) => `not steady before chaos: ${s.name}: ${s.detail}`),
    );
  }

  // 4. Chaos: the schedule through the engine, under the abort watch.
  const chaos = enter('chaos', spec.phases.chaos);
  Object.assign(live, {
    phase: 'chaos',
    phaseStart: chaos.startedAt,
    phaseEnd: chaos.startedAt + spec.phases.chaos,
  });
  const watchStop = new AbortController();
  const watch = watchGameDayAbort({
    prom,
    slos: o.slos,
    onPageAlert: spec.abort.onPageAlert,
    conditions: spec.abort.when,
    intervalMs: 2000,
    signal: watchStop.signal,
    onTrip: (a) => {
      if (stop.signal.aborted) return;
      journal.abort = a;
      say(`ABORT: ${a.reason}; recovering everything`);
      stop.abort();
    },
    onAlerts: (names) => {
      live.alerts = names;
    },
    onError: (m) => say(`warning: ${m}`),
  });
  stop.signal.addEventListener('abort', () => schedule.abort(), { once: true });
  await Promise.all([
    schedule.run(chaos.startedAt),
    abortableSleep(spec.phases.chaos, stop.signal),
  ]);
  if (stop.signal.aborted) chaos.cutShort = journal.abort?.reason ?? 'aborted';

  // 5. Recovery (skipped on a stop request: whoever asked wants out).
  const recovery = enter('recovery', spec.phases.recovery);
  Object.assign(live, {
    phase: 'recovery',
    phaseStart: recovery.startedAt,
    phaseEnd: recovery.startedAt + spec.phases.recovery,
  });
  const userStop = new AbortController();
  if (journal.abort?.trigger === 'signal') userStop.abort();
  else o.signal?.addEventListener('abort', () => userStop.abort(), { once: true });
  await abortableSleep(spec.phases.recovery, userStop.signal);
  if (userStop.signal.aborted) recovery.cutShort = 'stopped';
  watchStop.abort();
  await watch;
  if (spec.hypothesis.steadyState.length > 0)
    await evaluateSteadyState(prom, spec.hypothesis.steadyState, 'after', journal.steadyState);
  recovery.endedAt = Date.now();
  await stopLoad();
  cleanup();

  // 6. Checkers, over the history and the services' ledgers.
  enter('checkers');
  let history: HistoryRecord[] = [];
  try {
    history = await readHistory(historyFile);
  } catch (e) {
    harnessErrors.push(`history: ${(e as Error).message}`);
  }
  for (const r of history) {
    journal.load.requests.scheduled++;
    journal.load.requests[r.outcome]++;
  }
  journal.faults = faultWindows(schedule, history, baseline);
  for (const r of schedule.runs)
    if (r.error) harnessErrors.push(`engine (${r.item.experiment.metadata.name}): ${r.error}`);
  const from = baseline.startedAt;
  const to = recovery.endedAt;
  // Booking's ledger, read once for every checker that judges it; a failed read fails each one.
  let ledger: LedgerSnapshot | undefined;
  let ledgerError: Error | undefined;
  if (platform.redisUrl && spec.checkers.some((name) => CHECKERS[name].readsLedger))
    try {
      ledger = await readLedger(platform.redisUrl);
    } catch (e) {
      ledgerError = e as Error;
    }
  // The scheduler replicas, likewise (on kubernetes a lookup in the API); a failed one fails each.
  let schedulerUrls: readonly { pod: string; url: string }[] = [];
  let schedulerError: Error | undefined;
  if (spec.checkers.some((name) => CHECKERS[name].readsSchedulers))
    try {
      schedulerUrls = await platform.podUrls('scheduler');
    } catch (e) {
      schedulerError = e as Error;
    }
  for (const name of spec.checkers) {
    const checker = CHECKERS[name];
    const t0 = Date.now();
    let result: CheckerResult;
    try {
      if (checker.readsLedger && ledgerError) throw ledgerError;
      if (checker.readsSchedulers && schedulerError) throw schedulerError;
      const v = await checker.run({
        history,
        ledger,
        schedulerUrls,
        leadership: journal.leadership,
        faults: journal.faults,
        from,
        to,
      });
      result = { name, ...v, durationMs: Date.now() - t0 };
    } catch (e) {
      const error = (e as Error).message;
      harnessErrors.push(`checker ${name}: ${error}`);
      result = {
        name,
        status: 'unknown',
        summary: `could not run: ${error}`,
        checked: 0,
        unknownOperations: 0,
        error,
        durationMs: Date.now() - t0,
      };
    }
    journal.checkers.push(result);
    say(`checker ${name}: ${result.status.toUpperCase()}: ${result.summary}`);
  }

  // 7. What Prometheus saw, per SLO; alerts; traces.
  const stepMs = Math.max(2000, Math.round((to - from) / 300 / 1000) * 1000);
  journal.timeline.stepMs = stepMs;
  journal.timeline.client = clientTimeline(history, from, to, stepMs);
  const graceMs = spec.phases.recovery;
  try {
    journal.alerts = await alertsIn(
      prom,
      journal.startedAt,
      Date.now(),
      stepMs,
      journal.faults,
      graceMs,
    );
    for (const slo of o.slos) {
      const samples = await sloTimeline(prom, slo, from, to, stepMs);
      journal.timeline.slo.push(...samples);
      journal.verdicts.push(
        await sloVerdict(prom, slo, phases, samples, journal.alerts, journal.faults, history, {
          recoveryEvaluations: spec.recoveryEvaluations,
          graceMs,
        }),
      );
    }
  } catch (e) {
    harnessErrors.push(`Prometheus analysis: ${(e as Error).message}`);
  }
  findings(journal, graceMs);
  if (platform.jaegerUrl)
    journal.traces = await slowestTraces(platform.jaegerUrl, ['gateway'], journal.faults).catch(
      (e: unknown) => {
        journal.findings.push({
          kind: 'harness',
          message: `traces unavailable: ${(e as Error).message}`,
        });
        return [];
      },
    );

  // 8. The verdict.
  const v = overallVerdict({
    ...(journal.abort ? { aborted: journal.abort.reason } : {}),
    harnessErrors,
    slos: journal.verdicts.map((s) => ({ slo: s.slo, met: s.met })),
    checkers: journal.checkers,
    faults: journal.faults.map((f) => ({
      experimentId: f.experimentId,
      status: f.observed.status,
    })),
  });
  return finish(v.overall, v.reasons);
}

/**
 * The scenario's thresholds without `abortOnFail`: the load generator's fast-burn abort would
 * end the load in the middle of the chaos a game day is there to measure. The game day has
 * its own abort watch (the page alert), and judges the SLOs itself.
 */
function withoutAbortingThresholds(s: CompiledScenario): CompiledScenario {
  const thresholds: CompiledScenario['thresholds'] = {};
  for (const [metric, list] of Object.entries(s.thresholds))
    thresholds[metric] = list.map((t) => (typeof t === 'string' ? t : t.threshold));
  return { ...s, thresholds };
}

/** One fault window per scheduled experiment, judged requested-versus-observed. */
function faultWindows(
  schedule: ScheduleRun,
  history: readonly HistoryRecord[],
  baseline: PhaseWindow,
): FaultWindow[] {
  const base = windowStats(history, baseline.startedAt, baseline.endedAt ?? baseline.startedAt);
  return schedule.runs.map((r) => {
    const rec = r.record;
    const startedAt = rec?.timings.applied;
    const endedAt = rec?.timings.recovered;
    const client =
      startedAt === undefined
        ? undefined
        : (() => {
            const w = windowStats(history, startedAt, endedAt ?? Date.now());
            return {
              errorShare: w.errorShare,
              p99Ms: w.p99Ms,
              baselineErrorShare: base.errorShare,
              baselineP99Ms: base.p99Ms,
            };
          })();
    const enginePhase = rec?.phase ?? (r.error ? 'Failed' : 'NotStarted');
    const verification = rec?.verification ?? [];
    const judged = judgeFault(enginePhase, verification, client);
    return {
      experimentId: rec?.id ?? `${r.item.experiment.metadata.name}-not-started`,
      name: r.item.experiment.metadata.name,
      source: r.item.source,
      faultType: r.item.experiment.spec.fault.type,
      requested: (r.explanation ?? '').split('\n')[0] ?? '',
      targets: rec?.targets.map((t) => t.pod) ?? [],
      scheduledOffsetMs: r.item.startOffsetMs,
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(endedAt === undefined ? {} : { endedAt }),
      enginePhase,
      ...(rec?.message
        ? { engineMessage: rec.message }
        : r.error
          ? { engineMessage: r.error }
          : {}),
      verification: verification.map((v) => ({ ...v })),
      observed: { ...judged, ...(client ? { client } : {}) },
    };
  });
}

/** Not-detected faults and alerts with no fault active are findings, as are mismatches. */
function findings(j: Journal, graceMs: number): void {
  for (const f of j.faults) {
    if (f.observed.status === 'mismatch')
      j.findings.push({
        kind: 'fault-mismatch',
        experimentId: f.experimentId,
        message: `${f.name}: requested ${f.faultType} was not observed as requested`,
      });
    if (f.startedAt === undefined) continue;
    const detected = j.verdicts.some((v) =>
      v.detection.some((d) => d.experimentId === f.experimentId && d.timeToDetectMs !== null),
    );
    if (!detected)
      j.findings.push({
        kind: 'not-detected',
        experimentId: f.experimentId,
        at: f.startedAt,
        message: `${f.name} (${f.faultType} on ${f.targets.join(', ')}): no page or ticket alert of a hypothesis SLO fired`,
      });
  }
  for (const a of j.alerts)
    for (const w of a.firing)
      if (
        !j.faults.some(
          (f) =>
            f.startedAt !== undefined &&
            w.start >= f.startedAt &&
            w.start <= (f.endedAt ?? Infinity) + graceMs,
        )
      )
        j.findings.push({
          kind: 'alert-without-fault',
          at: w.start,
          message: `${a.name} ${JSON.stringify(a.labels)} fired with no fault active`,
        });
  for (const s of j.steadyState)
    if (s.when === 'after' && !s.ok)
      j.findings.push({
        kind: 'steady-state-after',
        message: `${s.name} did not hold after recovery: ${s.detail}`,
      });
}
