/**
 * Runs one experiment through a {@link PlatformDriver}, as a composition of its phases:
 * resolve targets and check safety before anything is applied; apply each fault to the exact
 * targets and record them; verify; hold (renew agent faults, watch abort conditions, repeat);
 * recover exactly what was applied when the duration ends, on stop or on abort, and confirm
 * nothing is left. A game day composes the same phases through this function. Every step is a
 * progress line, a registry write, a metric and a span event.
 */
import { applyPhase } from './apply-phase.js';
import { goLive } from './go-live.js';
import { beginHold, holdPhase } from './hold-phase.js';
import { recoverPhase } from './recover-phase.js';
import { refuse, resolvePhase } from './resolve-phase.js';
import { recordedTarget } from './fault-run.js';
import { createRunContext } from './run-context.js';
import type { RunOptions } from './run-context.js';
import type { RunRecord } from './run-registry.js';
import { verifyPhase } from './verify-phase.js';

export type { RunOptions } from './run-context.js';

/** Exit codes of `chaos run`. */
export const EXIT = { ok: 0, failed: 1, refused: 2, aborted: 3 } as const;

export interface RunOutcome {
  record: RunRecord;
  exitCode: number;
  /** The plain-words explanation (what was, or would be, done). */
  explanation: string;
}

export async function runExperiment(o: RunOptions): Promise<RunOutcome> {
  const ctx = createRunContext(o);
  const { record, say } = ctx;

  const resolved = await resolvePhase(ctx);
  const { explanation } = resolved;
  if (!resolved.ok) {
    refuse(ctx, resolved.refusals);
    return { record, exitCode: EXIT.refused, explanation };
  }
  if (o.dryRun || ctx.experiment.spec.safety.dryRun) {
    say(`dry run on ${ctx.driver.platform}: nothing will be changed`);
    for (const line of explanation.split('\n')) say(line);
    record.phase = 'Completed';
    record.message = 'dry run: nothing was changed';
    record.targets = resolved.targets.map(recordedTarget);
    return { record, exitCode: EXIT.ok, explanation };
  }

  const live = await goLive(ctx, resolved.targets, explanation);
  // Renewals start before the first apply, so a slow verification cannot outlast a fault's TTL.
  const holding = beginHold(ctx);
  if (!live.stop.signal.aborted) await verifyPhase(ctx, await applyPhase(ctx, resolved.targets));
  // A fault that did not apply ends the run: recover the rest rather than run half of it.
  if (live.applyFailed && !live.stop.signal.aborted) {
    live.end.reason = 'apply-failed';
    say('a fault did not apply: recovering the rest');
    live.stop.abort();
  }
  await holdPhase(ctx, holding);
  await recoverPhase(ctx);

  const failed = live.failures.length > 0;
  return {
    record,
    exitCode: failed ? EXIT.failed : record.phase === 'Aborted' ? EXIT.aborted : EXIT.ok,
    explanation,
  };
}
