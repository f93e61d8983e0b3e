/**
 * The first reconcile of a Pending experiment: validate the spec (invalid → Failed), resolve
 * and safety-check targets (refused → Refused, every reason), a dry run stops there
 * (Completed, nothing changed). Otherwise status goes Running with targets, seed and end time
 * *before* anything is applied, then each fault is applied through `engine/fault-run.ts`; one
 * failing undoes the rest (→ Failed), else the faults are verified and the conditions say so.
 * Returns when to look again.
 */
import { explainExperiment } from '../experiment/explain.js';
import type { ExperimentStatus, VerificationResult } from '../experiment/status.js';
import { resolveTargetsOn } from '../experiment/targeting.js';
import { FAULT_ACTIONS } from '../engine/fault-actions.js';
import { applyOrders, faultOrders, recordedTarget, verifyApplied } from '../engine/fault-run.js';
import type { AppliedOrder } from '../engine/fault-run.js';
import type { AppliedFault } from '../engine/platform-driver.js';
import type { ControllerContext } from './controller-context.js';
import { experimentOf, orderRun } from './controller-context.js';
import { recoverApplied } from './experiment-recovery.js';
import { parseExperimentObjectSpec } from './experiment-resources.js';
import type { ExperimentObject } from './experiment-resources.js';
import { condition, recoveredCondition, verifiedCondition } from './status-conditions.js';

/** Validate, resolve targets, record Running, apply and verify. */
export async function beginExperiment(
  ctx: ControllerContext,
  obj: ExperimentObject,
): Promise<number | undefined> {
  const { resources, namespace, driver } = ctx.o;
  const name = obj.metadata.name ?? '';
  const generation = obj.metadata.generation;
  const gen = generation === undefined ? {} : { observedGeneration: generation };
  const now = () => new Date().toISOString();
  const parsed = parseExperimentObjectSpec(obj, ctx.o.schema);
  if (!parsed.ok) {
    const message = parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    await resources.patchStatus(namespace, name, {
      phase: 'Failed',
      message: `invalid spec: ${message}`,
      finishedAt: now(),
      ...gen,
      conditions: [condition('Validated', 'False', 'InvalidSpec', message, generation)],
    });
    return undefined;
  }
  const spec = parsed.spec;
  const experiment = experimentOf(ctx, obj, parsed.spec);
  const resolution = await resolveTargetsOn(driver, experiment, { defaultNamespace: namespace });
  const validated = condition('Validated', 'True', 'ValidSpec', undefined, generation);
  if (!resolution.ok) {
    const reasons = resolution.refusals.map((r) => r.message);
    await resources.patchStatus(namespace, name, {
      phase: 'Refused',
      message: `refused: ${reasons.join('; ')}`,
      finishedAt: now(),
      ...gen,
      conditions: [
        validated,
        condition('SafetyChecked', 'False', 'Refused', reasons.join('; '), generation),
      ],
    });
    return undefined;
  }
  const targets = resolution.plan.targets;
  const safe = condition('SafetyChecked', 'True', 'WithinLimits', undefined, generation);
  const recorded = targets.map((t) => recordedTarget(t));
  if (spec.safety.dryRun) {
    await resources.patchStatus(namespace, name, {
      phase: 'Completed',
      message: `dry run, nothing was changed: ${explainExperiment(experiment, resolution).text}`,
      finishedAt: now(),
      targets: recorded,
      seed: resolution.plan.seed,
      ...gen,
      conditions: [validated, safe],
    });
    return undefined;
  }
  const startedAt = Date.now();
  const endsAt = startedAt + spec.duration;
  const mechanism =
    spec.fault.type === 'pod-kill'
      ? 'pod-delete'
      : spec.fault.type === 'partition'
        ? spec.fault.mechanism
        : 'agent';
  // Recorded before anything is applied: a controller that dies in between finds the
  // experiment Running and re-applies or recovers; it never loses track of a fault.
  const base: ExperimentStatus = {
    phase: 'Running',
    experimentId: name,
    mechanism,
    startedAt: new Date(startedAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    targets: recorded,
    // Re-applying after a restart must use the seed that was applied, not spec.seed (absent
    // when the seed was drawn at random).
    seed: resolution.plan.seed,
    ...(spec.repeat ? { rounds: 1 } : {}),
    ...gen,
  };
  await resources.patchStatus(namespace, name, {
    ...base,
    message: explainExperiment(experiment, resolution).text.split('\n')[0],
    conditions: [
      validated,
      safe,
      condition('Applied', 'Unknown', 'Applying', undefined, generation),
    ],
  });

  const action = FAULT_ACTIONS[spec.fault.type];
  const orders = faultOrders(orderRun(ctx, name, spec, resolution.plan.seed), targets);
  const outcomes = await applyOrders(driver, action, orders);
  const perOrder: AppliedOrder[] = [];
  const errors: string[] = [];
  for (const o of outcomes)
    if (o.ok) perOrder.push(o);
    else errors.push(`${o.order.target.name}: ${o.error.message}`);
  const applied: AppliedFault[] = perOrder.flatMap((p) => p.done);
  ctx.applied.set(name, applied);
  if (errors.length > 0) {
    // Half an experiment is not what was asked for: undo the rest.
    const recoverErrors = await recoverApplied(ctx, spec.fault.type, applied);
    await resources.patchStatus(namespace, name, {
      phase: 'Failed',
      message: `a fault did not apply: ${errors.join('; ')}`,
      finishedAt: now(),
      conditions: [
        validated,
        safe,
        condition('Applied', 'False', 'ApplyFailed', errors.join('; '), generation),
        recoveredCondition(recoverErrors, generation),
      ],
    });
    ctx.applied.delete(name);
    return undefined;
  }
  const verification: VerificationResult[] = await verifyApplied(driver, perOrder);
  await resources.patchStatus(namespace, name, {
    ...base,
    conditions: [
      validated,
      safe,
      condition(
        'Applied',
        'True',
        mechanism === 'pod-delete'
          ? 'PodDeleted'
          : mechanism === 'networkpolicy'
            ? 'NetworkPolicyCreated'
            : 'AgentFaultApplied',
        `${applied.length} fault${applied.length === 1 ? '' : 's'} on ${recorded.map((t) => t.pod).join(', ')}`,
        generation,
      ),
      verifiedCondition(verification, generation),
      ...(spec.safety.abortWhen?.length && !driver.prometheusUrl
        ? [
            condition(
              'AbortConditionsWatched',
              'False',
              'NoPrometheus',
              'abort conditions given but the controller has no PROMETHEUS_URL; they are not watched',
              generation,
            ),
          ]
        : []),
    ],
    verification,
  });
  return Math.max(0, Math.min(ctx.renewMs, endsAt - Date.now()));
}
