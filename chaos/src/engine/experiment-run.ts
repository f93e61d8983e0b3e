/**
 * Runs one experiment through a {@link PlatformDriver}: resolve targets (roles at apply time)
 * and check safety before anything is applied; apply each fault to the exact targets and
 * record them; verify; renew agent faults (short TTL) while it runs; watch abort conditions;
 * recover exactly what was applied when the duration ends, on stop (SIGTERM) or on abort;
 * then confirm nothing is left. Every step is a progress line, a registry write, a metric and
 * a span event, so a run can be followed and stopped from any shell.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { formatDuration } from '../experiment/duration.js';
import { explainExperiment } from '../experiment/explain.js';
import type { Experiment } from '../experiment/spec.js';
import type { ExperimentPhase, VerificationResult } from '../experiment/status.js';
import { resolveTargetsOn } from '../experiment/targeting.js';
import type { CandidatePod } from '../experiment/targeting.js';
import { watchAbortConditions } from './abort-watch.js';
import { abortableSleep } from './abortable-sleep.js';
import type { AbortTrip } from './abort-watch.js';
import { ExperimentMetrics } from './experiment-metrics.js';
import { FAULT_ACTIONS } from './fault-actions.js';
import { grafanaAnnotations } from './grafana-annotations.js';
import type { FaultOrder, PlatformDriver } from './platform-driver.js';
import { appliedKey, writeRun } from './run-registry.js';
import type { RunRecord } from './run-registry.js';

/** Exit codes of `chaos run`. */
export const EXIT = { ok: 0, failed: 1, refused: 2, aborted: 3 } as const;

export interface RunOptions {
  driver: PlatformDriver;
  experiment: Experiment;
  file: string;
  /** Where the run registry lives (`<stateDir>/experiments/`); absent: not recorded. */
  stateDir?: string;
  /** Where the engine announces its metrics to Prometheus (file_sd); absent: not announced. */
  scrapeTargetsDir?: string;
  /** Overrides `spec.duration` (already validated against the maximum). */
  durationMs?: number;
  /** Overrides `spec.seed`. */
  seed?: number;
  /** Resolve and explain only; overrides nothing when the spec already says dryRun. */
  dryRun?: boolean;
  /** How often agent faults are renewed; their TTL is three times this. Default 1000 ms. */
  renewIntervalMs?: number;
  /** How often abort conditions are evaluated. Default 1000 ms. */
  abortPollMs?: number;
  /** How often a remaining-time line is printed. Default 5000 ms. */
  progressEveryMs?: number;
  /** Aborts when a stop is requested (SIGTERM, SIGINT): everything recovers. */
  signal?: AbortSignal;
  /** One progress line per step, for people; no tty assumptions. */
  onProgress: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface RunOutcome {
  record: RunRecord;
  exitCode: number;
  /** The plain-words explanation (what was, or would be, done). */
  explanation: string;
}

const tracer = trace.getTracer('@faultline/chaos');

export async function runExperiment(o: RunOptions): Promise<RunOutcome> {
  const { driver, experiment } = o;
  const spec = experiment.spec;
  const say = o.onProgress;
  const renewMs = o.renewIntervalMs ?? 1000;
  const ttlMs = renewMs * 3;
  const durationMs = o.durationMs ?? spec.duration;
  const action = FAULT_ACTIONS[spec.fault.type];
  const id = runId(experiment.metadata.name);
  const seed = o.seed ?? spec.seed ?? randomInt(0, 0xffff_ffff);
  const record: RunRecord = {
    id,
    name: experiment.metadata.name,
    file: o.file,
    platform: driver.platform,
    phase: 'Pending',
    pid: process.pid,
    fault: spec.fault.type,
    targets: [],
    applied: [],
    recovered: [],
    verification: [],
    startedAt: new Date().toISOString(),
    timings: { processStart: Math.round(performance.timeOrigin), runStart: Date.now() },
  };
  const save = () => {
    if (o.stateDir) writeRun(o.stateDir, record);
  };
  const withDuration: Experiment = { ...experiment, spec: { ...spec, duration: durationMs } };

  // 1. Targets and safety, before anything is applied.
  const resolution = await resolveTargetsOn(driver, withDuration, {
    defaultNamespace: driver.defaultNamespace,
    seed,
  });
  const explanation = explainExperiment(withDuration, resolution).text;
  if (!resolution.ok) {
    record.phase = 'Refused';
    record.refusals = resolution.refusals.map((r) => r.message);
    record.message = `refused: ${record.refusals.join('; ')}`;
    record.finishedAt = new Date().toISOString();
    for (const r of record.refusals) say(`REFUSED: ${r}`);
    save();
    return { record, exitCode: EXIT.refused, explanation };
  }
  const targets = resolution.plan.targets;
  if (o.dryRun || spec.safety.dryRun) {
    say(`dry run on ${driver.platform}: nothing will be changed`);
    for (const line of explanation.split('\n')) say(line);
    record.phase = 'Completed';
    record.message = 'dry run: nothing was changed';
    record.targets = targets.map(recordedTarget);
    return { record, exitCode: EXIT.ok, explanation };
  }

  // 2. Run.
  const metrics = new ExperimentMetrics();
  const metricsHost = await metrics.serve();
  record.metricsUrl = `http://${metricsHost}/metrics`;
  if (o.scrapeTargetsDir) metrics.announce(o.scrapeTargetsDir, id, metricsHost);
  const labels = { experiment: id, fault: spec.fault.type };
  metrics.running.set({ ...labels, name: experiment.metadata.name }, 1);
  const annotations = grafanaAnnotations(o.env ?? process.env, (m) => say(`warning: ${m}`));
  const span = tracer.startSpan(`experiment ${experiment.metadata.name}`, {
    attributes: {
      'faultline.experiment': id,
      'faultline.experiment.name': experiment.metadata.name,
      'faultline.fault.type': spec.fault.type,
      'faultline.platform': driver.platform,
      'faultline.experiment.duration_ms': durationMs,
    },
  });
  const faultSpans = new Map<string, Span>();
  const failures: string[] = [];
  let applyFailed = false;
  const fail = (stage: 'apply' | 'renew' | 'recover' | 'verify', message: string) => {
    failures.push(message);
    if (stage !== 'verify') metrics.failed.inc({ ...labels, stage });
    span.addEvent(`${stage} failed`, { message });
    say(`FAILED (${stage}): ${message}`);
  };
  const startedAt = Date.now();
  const endsAt = startedAt + durationMs;
  record.phase = 'Running';
  record.endsAt = new Date(endsAt).toISOString();
  record.targets = targets.map(recordedTarget);
  save();
  say(`experiment ${id} (${driver.platform}): ${explanation.split('\n')[0]}`);
  say(
    `targets: ${targets.map((t) => `${t.name}${t.uid ? ` (pid ${t.uid})` : ''}${t.role ? ` [${t.role}]` : ''}`).join(', ')}`,
  );
  void annotations.annotate(`chaos ${id} started: ${explanation.split('\n')[0]}`, [
    'faultline',
    'chaos',
    id,
  ]);

  const stop = new AbortController();
  // Set from callbacks, so held in an object (TypeScript would narrow a plain let).
  const end: { reason: 'duration' | 'stop' | 'abort' | 'apply-failed' } = { reason: 'duration' };
  let trip: AbortTrip | undefined;
  const onStop = () => {
    if (stop.signal.aborted) return;
    end.reason = 'stop';
    record.timings.stopRequested = Date.now();
    say('stop requested: recovering everything');
    stop.abort();
  };
  if (o.signal?.aborted) onStop();
  else o.signal?.addEventListener('abort', onStop, { once: true });

  const applyRound = async (round: CandidatePod[]) => {
    const orders: FaultOrder[] = round.map((target, i) => ({
      experimentId: id,
      fault: spec.fault,
      target,
      ...(spec.target.link === undefined ? {} : { link: spec.target.link }),
      ttlMs,
      // One stream of draws per target, still replayable from the run's seed.
      seed: (seed + i) >>> 0,
    }));
    const applied = await Promise.all(
      orders.map(async (order) => {
        const fspan = tracer.startSpan(
          `fault ${spec.fault.type} ${order.target.name}`,
          {
            attributes: { 'faultline.experiment': id, 'faultline.fault.target': order.target.name },
          },
          trace.setSpan(context.active(), span),
        );
        try {
          const done = await action.apply(driver, order);
          record.applied.push(...done);
          for (const a of done) {
            metrics.applied.inc(labels);
            if (a.faultId) faultSpans.set(a.faultId, fspan);
            say(
              `applied ${spec.fault.type} to ${a.pod}${a.agentPod ? ` via ${a.agentPod}'s agent${a.link ? ` (link ${a.link})` : ''}, fault ${a.faultId}, ttl ${ttlMs} ms` : ''}`,
            );
          }
          if (action.oneShot) fspan.end();
          return { order, done };
        } catch (e) {
          fspan.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
          fspan.end();
          applyFailed = true;
          fail('apply', `${order.target.name}: ${(e as Error).message}`);
          return undefined;
        }
      }),
    );
    record.timings.applied ??= Date.now();
    save();
    const ok = applied.filter((a) => a !== undefined);
    const results = await Promise.all(
      ok.map(async ({ order, done }) => {
        try {
          return await driver.verify(order, done);
        } catch (e) {
          return {
            pod: order.target.name,
            outcome: 'not-verified',
            observed: `verification failed: ${(e as Error).message}`,
            at: new Date().toISOString(),
          } satisfies VerificationResult;
        }
      }),
    );
    record.timings.verified ??= Date.now();
    for (const v of results) {
      record.verification.push(v);
      metrics.verifications.inc({ ...labels, outcome: v.outcome });
      span.addEvent('verification', { pod: v.pod, outcome: v.outcome, observed: v.observed });
      if (v.outcome === 'verified') say(`verified on ${v.pod}: ${v.observed}`);
      else fail('verify', `${v.pod}: ${v.outcome}: ${v.observed}`);
    }
    save();
  };

  // Renewal keeps agent faults alive only as long as this process is: a dead engine's faults
  // expire within one TTL.
  let renewing: Promise<void> = Promise.resolve();
  const renewTimer = action.oneShot
    ? undefined
    : setInterval(() => {
        renewing = renewing.then(async () => {
          if (stop.signal.aborted) return;
          const live = record.applied.filter(
            (a) => a.kind === 'agent' && !record.recovered.includes(appliedKey(a)),
          );
          await Promise.all(
            live.map(async (a) => {
              try {
                if (!(await driver.renew(a, ttlMs)) && !stop.signal.aborted)
                  fail('renew', `${a.pod}: fault ${a.faultId} is gone from ${a.agentPod}'s agent`);
              } catch (e) {
                if (!stop.signal.aborted) fail('renew', `${a.pod}: ${(e as Error).message}`);
              }
            }),
          );
        });
      }, renewMs);

  if (driver.prometheusUrl && spec.safety.abortWhen?.length) {
    watchAbortConditions({
      prometheusUrl: driver.prometheusUrl,
      conditions: spec.safety.abortWhen,
      intervalMs: o.abortPollMs ?? 1000,
      signal: stop.signal,
      onTrip: (t) => {
        if (stop.signal.aborted) return;
        trip = t;
        end.reason = 'abort';
        record.timings.stopRequested = Date.now();
        say(`ABORT: ${t.reason}; recovering everything`);
        stop.abort();
      },
      onError: (m) => say(`warning: ${m}`),
    });
  } else if (spec.safety.abortWhen?.length) {
    say('warning: abort conditions given but the platform has no Prometheus; they are not watched');
  }

  if (!stop.signal.aborted) await applyRound(targets);
  // A fault that did not apply ends the run: recover the rest rather than run half of it.
  if (applyFailed && !stop.signal.aborted) {
    end.reason = 'apply-failed';
    say('a fault did not apply: recovering the rest');
    stop.abort();
  }

  const progressEvery = o.progressEveryMs ?? 5000;
  let nextProgress = Date.now() + progressEvery;
  let nextRepeat = spec.repeat ? startedAt + spec.repeat.interval : Infinity;
  while (!stop.signal.aborted && Date.now() < endsAt) {
    const now = Date.now();
    const wake = Math.min(endsAt, nextProgress, nextRepeat) - now;
    await abortableSleep(Math.max(0, wake), stop.signal);
    if (stop.signal.aborted) break;
    if (Date.now() >= nextRepeat && Date.now() < endsAt) {
      nextRepeat += spec.repeat!.interval;
      const again = await resolveTargetsOn(driver, withDuration, {
        defaultNamespace: driver.defaultNamespace,
        seed: seed + record.applied.length,
      });
      if (again.ok) {
        say(`repeat: ${again.plan.targets.map((t) => t.name).join(', ')}`);
        record.targets.push(...again.plan.targets.map(recordedTarget));
        await applyRound(again.plan.targets);
      } else {
        say(`repeat skipped: ${again.refusals.map((r) => r.message).join('; ')}`);
      }
    }
    if (Date.now() >= nextProgress && Date.now() < endsAt) {
      nextProgress += progressEvery;
      say(`running: ${formatDuration(Math.max(0, endsAt - Date.now()))} remaining`);
    }
  }
  if (!stop.signal.aborted) say('duration over: recovering');

  // 3. Recover exactly what was applied, then confirm nothing is left.
  stop.abort();
  o.signal?.removeEventListener('abort', onStop);
  clearInterval(renewTimer);
  await renewing;
  record.phase = 'Recovering';
  save();
  await Promise.all(
    record.applied.map(async (a) => {
      try {
        await action.recover(driver, a);
        record.recovered.push(appliedKey(a));
        metrics.recovered.inc(labels);
        if (a.faultId) {
          faultSpans.get(a.faultId)?.end();
          say(
            `recovered ${a.agentFaultType ?? spec.fault.type} on ${a.pod}${a.agentPod && a.agentPod !== a.pod ? ` (at ${a.agentPod})` : ''}`,
          );
        }
      } catch (e) {
        fail('recover', `${a.pod}: ${(e as Error).message}`);
      }
    }),
  );
  record.timings.recovered = Date.now();
  const leftovers = (
    await Promise.all(
      record.applied.map(async (a) =>
        (await driver.isActive(a).catch(() => true)) ? a : undefined,
      ),
    )
  ).filter((a) => a !== undefined);
  for (const a of leftovers)
    fail('recover', `${a.pod}: fault ${a.faultId} is still active in ${a.agentPod}'s agent`);

  const phase: ExperimentPhase =
    end.reason === 'abort' || (end.reason === 'stop' && failures.length === 0)
      ? 'Aborted'
      : failures.length > 0
        ? 'Failed'
        : 'Completed';
  record.phase = phase;
  record.message =
    end.reason === 'abort'
      ? trip?.reason
      : failures.length > 0
        ? failures.join('; ')
        : end.reason === 'stop'
          ? 'stopped on request; everything recovered'
          : 'completed; everything recovered';
  record.finishedAt = new Date().toISOString();
  record.timings.finished = Date.now();
  metrics.running.set({ ...labels, name: experiment.metadata.name }, 0);
  span.setAttribute('faultline.experiment.phase', phase);
  if (failures.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: failures[0] });
  span.end();
  save();
  await annotations.annotate(
    `chaos ${id} ${phase}: ${record.message ?? ''}`,
    ['faultline', 'chaos', id],
    startedAt,
    Date.now(),
  );
  await metrics.close();
  return {
    record,
    exitCode: failures.length > 0 ? EXIT.failed : phase === 'Aborted' ? EXIT.aborted : EXIT.ok,
    explanation,
  };
}

/** A run id: the experiment's name, a time and a few random bits (agent ids allow 64 chars). */
function runId(name: string): string {
  return `${name.slice(0, 40)}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}

function recordedTarget(t: CandidatePod): RunRecord['targets'][number] {
  return { pod: t.name, ...(t.uid ? { uid: t.uid } : {}), ...(t.role ? { role: t.role } : {}) };
}
