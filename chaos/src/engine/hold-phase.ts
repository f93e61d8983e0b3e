/**
 * Phase 4, hold: keep agent faults alive (renewed well inside their TTL, so a dead engine's
 * faults expire by themselves), watch the abort conditions, re-apply on `repeat`, print the
 * remaining time — until the duration is over or the run is stopped.
 */
import { formatDuration } from '../experiment/duration.js';
import { watchAbortConditions } from './abort-watch.js';
import { abortableSleep } from './abortable-sleep.js';
import { applyPhase } from './apply-phase.js';
import { resolvePhase } from './resolve-phase.js';
import { recordedTarget } from './fault-run.js';
import { liveOf } from './run-context.js';
import type { RunContext } from './run-context.js';
import { appliedKey } from './run-registry.js';
import { verifyPhase } from './verify-phase.js';

/** Renewals and the abort watch, running from before the first apply until the hold ends. */
export interface Holding {
  /** Stops renewing; resolves once a renewal in flight is done. */
  finish(): Promise<void>;
}

/**
 * Starts renewing agent faults and watching abort conditions. Called before the first apply:
 * a slow verification (hundreds of probe requests) must not outlast the faults' TTL.
 */
export function beginHold(ctx: RunContext): Holding {
  const live = liveOf(ctx);
  const { record, say, driver } = ctx;
  const spec = ctx.experiment.spec;
  const stop = live.stop;
  let renewing: Promise<void> = Promise.resolve();
  const renewTimer = ctx.action.oneShot
    ? undefined
    : setInterval(() => {
        renewing = renewing.then(() => renewAll(ctx));
      }, ctx.renewMs);
  if (driver.prometheusUrl && spec.safety.abortWhen?.length) {
    watchAbortConditions({
      prometheusUrl: driver.prometheusUrl,
      conditions: spec.safety.abortWhen,
      intervalMs: ctx.o.abortPollMs ?? 1000,
      signal: stop.signal,
      onTrip: (t) => {
        if (stop.signal.aborted) return;
        live.trip = t;
        live.end.reason = 'abort';
        record.timings.stopRequested = Date.now();
        say(`ABORT: ${t.reason}; recovering everything`);
        stop.abort();
      },
      onError: (m) => say(`warning: ${m}`),
    });
  } else if (spec.safety.abortWhen?.length) {
    say('warning: abort conditions given but the platform has no Prometheus; they are not watched');
  }
  return {
    async finish() {
      stop.abort();
      clearInterval(renewTimer);
      await renewing;
    },
  };
}

/** Holds until the duration is over or the run is stopped, re-applying on `repeat`. */
export async function holdPhase(ctx: RunContext, holding: Holding): Promise<void> {
  const live = liveOf(ctx);
  const { record, say } = ctx;
  const spec = ctx.experiment.spec;
  const stop = live.stop;
  try {
    const progressEvery = ctx.o.progressEveryMs ?? 5000;
    let nextProgress = Date.now() + progressEvery;
    let nextRepeat = spec.repeat ? live.startedAt + spec.repeat.interval : Infinity;
    while (!stop.signal.aborted && Date.now() < live.endsAt) {
      const wake = Math.min(live.endsAt, nextProgress, nextRepeat) - Date.now();
      await abortableSleep(Math.max(0, wake), stop.signal);
      if (stop.signal.aborted) break;
      if (Date.now() >= nextRepeat && Date.now() < live.endsAt) {
        nextRepeat += spec.repeat!.interval;
        const again = await resolvePhase(ctx, ctx.seed + record.applied.length);
        if (again.ok) {
          say(`repeat: ${again.targets.map((t) => t.name).join(', ')}`);
          record.targets.push(...again.targets.map(recordedTarget));
          await verifyPhase(ctx, await applyPhase(ctx, again.targets));
        } else {
          say(`repeat skipped: ${again.refusals.join('; ')}`);
        }
      }
      if (Date.now() >= nextProgress && Date.now() < live.endsAt) {
        nextProgress += progressEvery;
        say(`running: ${formatDuration(Math.max(0, live.endsAt - Date.now()))} remaining`);
      }
    }
    if (!stop.signal.aborted) say('duration over: recovering');
  } finally {
    await holding.finish();
  }
}

async function renewAll(ctx: RunContext): Promise<void> {
  const live = liveOf(ctx);
  if (live.stop.signal.aborted) return;
  const held = ctx.record.applied.filter(
    (a) => a.kind === 'agent' && !ctx.record.recovered.includes(appliedKey(a)),
  );
  await Promise.all(
    held.map(async (a) => {
      try {
        if (!(await ctx.driver.renew(a, ctx.ttlMs)) && !live.stop.signal.aborted)
          live.fail('renew', `${a.pod}: fault ${a.faultId} is gone from ${a.agentPod}'s agent`);
      } catch (e) {
        if (!live.stop.signal.aborted) live.fail('renew', `${a.pod}: ${(e as Error).message}`);
      }
    }),
  );
}
