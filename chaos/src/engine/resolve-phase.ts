/**
 * Phase 1, resolve: targets (roles at this moment) and every safety rule, before anything is
 * applied. A refusal ends the run here with nothing changed.
 */
import { explainExperiment } from '../experiment/explain.js';
import { resolveTargetsOn } from '../experiment/targeting.js';
import type { CandidatePod } from '../experiment/targeting.js';
import type { RunContext } from './run-context.js';

export type Resolved =
  | { ok: true; targets: CandidatePod[]; explanation: string }
  | { ok: false; refusals: string[]; explanation: string };

export async function resolvePhase(ctx: RunContext, seed = ctx.seed): Promise<Resolved> {
  const resolution = await resolveTargetsOn(ctx.driver, ctx.experiment, {
    defaultNamespace: ctx.driver.defaultNamespace,
    seed,
  });
  const explanation = explainExperiment(ctx.experiment, resolution).text;
  if (!resolution.ok)
    return { ok: false, refusals: resolution.refusals.map((r) => r.message), explanation };
  return { ok: true, targets: resolution.plan.targets, explanation };
}

/** Records a refusal: the run ends Refused, nothing applied. */
export function refuse(ctx: RunContext, refusals: string[]): void {
  const { record } = ctx;
  record.phase = 'Refused';
  record.refusals = refusals;
  record.message = `refused: ${refusals.join('; ')}`;
  record.finishedAt = new Date().toISOString();
  for (const r of refusals) ctx.say(`REFUSED: ${r}`);
  ctx.save();
}
