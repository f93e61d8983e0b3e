/**
 * Abort conditions of a Running experiment: `spec.safety.abortWhen` is queried against the
 * controller's Prometheus (at the renew interval); when one holds for its `for`, everything is
 * recovered and the experiment ends Aborted (Failed if recovery failed) with a condition naming
 * the query. When each condition was first seen holding is kept in memory only, so a restarted
 * controller waits the full `for` again (later, never sooner). Query errors are logged and
 * never abort, as in the engine.
 */
import type { Experiment } from '../experiment/spec.js';
import { checkAbortConditions } from '../engine/abort-watch.js';
import type { ControllerContext } from './controller-context.js';
import { recoverAll } from './experiment-recovery.js';
import type { ExperimentObject } from './experiment-resources.js';
import { condition, recoveredCondition, setCondition } from './status-conditions.js';

/** Ends the experiment Aborted when an abort condition holds; true when it did. */
export async function abortIfConditionHolds(
  ctx: ControllerContext,
  obj: ExperimentObject,
  spec: Experiment['spec'],
): Promise<boolean> {
  const { resources, namespace, driver, logger } = ctx.o;
  const conditions = spec.safety.abortWhen ?? [];
  if (conditions.length === 0 || !driver.prometheusUrl) return false;
  const name = obj.metadata.name ?? '';
  const since = ctx.abortSince.get(name) ?? new Map<number, number>();
  ctx.abortSince.set(name, since);
  const { trip, errors } = await checkAbortConditions(driver.prometheusUrl, conditions, since);
  for (const message of errors) logger.warn({ experiment: name }, message);
  if (!trip) return false;
  logger.warn({ experiment: name, promql: trip.promql }, 'abort condition holds: recovering');
  const recoverErrors = await recoverAll(ctx, obj);
  const generation = obj.metadata.generation;
  let conditionsNow = setCondition(
    obj.status?.conditions ?? [],
    condition('Aborted', 'True', 'AbortConditionHeld', trip.reason, generation),
  );
  conditionsNow = setCondition(conditionsNow, recoveredCondition(recoverErrors, generation));
  await resources.patchStatus(namespace, name, {
    phase: recoverErrors.length > 0 ? 'Failed' : 'Aborted',
    message:
      recoverErrors.length > 0
        ? `aborted (${trip.reason}), but recovery failed: ${recoverErrors.join('; ')}`
        : `aborted: ${trip.reason}; everything recovered`,
    finishedAt: new Date().toISOString(),
    conditions: conditionsNow,
  });
  ctx.applied.delete(name);
  ctx.abortSince.delete(name);
  return true;
}
