/**
 * Recovery: everything an experiment holds — the faults this process applied and the ones
 * found in the world (after a restart) — is recovered through its fault action, and each
 * recovered agent fault is checked to be inactive. Errors are collected, never thrown, so the
 * status can say what is still held. `finishExperiment` ends a run at its end time (or when its
 * spec no longer parses): recover, then Completed, or Failed when recovery failed or a fault
 * was not verified.
 */
import { FAULT_ACTIONS } from '../engine/fault-actions.js';
import type { AppliedFault } from '../engine/platform-driver.js';
import type { ControllerContext } from './controller-context.js';
import { ordersFor } from './controller-context.js';
import { parseExperimentObjectSpec } from './experiment-resources.js';
import type { ExperimentObject } from './experiment-resources.js';
import { recoveredCondition, setCondition } from './status-conditions.js';

/** Recovers everything the experiment holds (known here or found in the world). */
export async function recoverAll(ctx: ControllerContext, obj: ExperimentObject): Promise<string[]> {
  const name = obj.metadata.name ?? '';
  const parsed = parseExperimentObjectSpec(obj, ctx.o.schema);
  if (!parsed.ok) return [];
  const orders = ordersFor(ctx, name, parsed.spec, obj.status ?? {});
  const known = ctx.applied.get(name) ?? [];
  const found = (await Promise.all(orders.map((o) => ctx.o.driver.discoverApplied(o)))).flat();
  const all = [...known];
  for (const a of found)
    if (!all.some((k) => k.faultId === a.faultId && k.pod === a.pod)) all.push(a);
  return recoverApplied(ctx, parsed.spec.fault.type, all);
}

/** Recovers `applied`; returns one message per fault that failed or is still active. */
export async function recoverApplied(
  ctx: ControllerContext,
  type: keyof typeof FAULT_ACTIONS,
  applied: readonly AppliedFault[],
): Promise<string[]> {
  const errors: string[] = [];
  await Promise.all(
    applied.map(async (a) => {
      try {
        await FAULT_ACTIONS[type].recover(ctx.o.driver, a);
        if (a.kind !== 'one-shot' && (await ctx.o.driver.isActive(a)))
          errors.push(`${a.pod}: ${a.faultId} is still active`);
      } catch (e) {
        errors.push(`${a.pod}: ${(e as Error).message}`);
      }
    }),
  );
  return errors;
}

/** The run is over: recover everything, then Completed (or Failed, saying why). */
export async function finishExperiment(
  ctx: ControllerContext,
  obj: ExperimentObject,
): Promise<undefined> {
  const { resources, namespace } = ctx.o;
  const name = obj.metadata.name ?? '';
  const status = obj.status ?? {};
  const errors = await recoverAll(ctx, obj);
  const verification = status.verification ?? [];
  const failed = errors.length > 0 || verification.some((v) => v.outcome === 'not-verified');
  await resources.patchStatus(namespace, name, {
    phase: failed ? 'Failed' : 'Completed',
    message:
      errors.length > 0
        ? `recovery failed: ${errors.join('; ')}`
        : failed
          ? 'a fault was not verified; everything recovered'
          : 'completed; everything recovered',
    finishedAt: new Date().toISOString(),
    conditions: setCondition(
      status.conditions ?? [],
      recoveredCondition(errors, obj.metadata.generation),
    ),
  });
  ctx.applied.delete(name);
  return undefined;
}
