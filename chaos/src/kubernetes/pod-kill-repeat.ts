/**
 * Repeating pod-kill (`spec.repeat`): a round is due at `startedAt + rounds × interval`, both
 * read from the status, so a restarted controller neither skips nor doubles a round. A due
 * round resolves and safety-checks targets again (refused → the round is skipped, a Repeated
 * condition says why), else kills and verifies them through `engine/fault-run.ts` and appends
 * targets and verification to the status. The round is counted either way.
 */
import type { Experiment } from '../experiment/spec.js';
import type { ExperimentCondition } from '../experiment/status.js';
import { resolveTargetsOn } from '../experiment/targeting.js';
import { FAULT_ACTIONS } from '../engine/fault-actions.js';
import {
  applyOrders,
  faultOrders,
  notVerified,
  recordedTarget,
  verifyApplied,
} from '../engine/fault-run.js';
import type { ControllerContext } from './controller-context.js';
import { experimentOf, orderRun } from './controller-context.js';
import type { ExperimentObject } from './experiment-resources.js';
import { condition, setCondition } from './status-conditions.js';

/** Runs the next round when it is due; returns when the one after is (Infinity without `repeat`). */
export async function repeatIfDue(
  ctx: ControllerContext,
  obj: ExperimentObject,
  spec: Experiment['spec'],
): Promise<number> {
  const status = obj.status ?? {};
  if (!spec.repeat || !status.startedAt) return Infinity;
  const { resources, namespace, driver } = ctx.o;
  const name = obj.metadata.name ?? '';
  const generation = obj.metadata.generation;
  const startedAt = Date.parse(status.startedAt);
  const rounds = status.rounds ?? 1;
  const dueAt = startedAt + rounds * spec.repeat.interval;
  if (Date.now() < dueAt) return dueAt;
  const resolution = await resolveTargetsOn(driver, experimentOf(ctx, obj, spec), {
    defaultNamespace: namespace,
  });
  const round = rounds + 1;
  let repeated: ExperimentCondition;
  let targets = status.targets ?? [];
  let verification = status.verification ?? [];
  if (!resolution.ok) {
    // E.g. the last victim is not ready again yet and the replica share would be exceeded.
    const reasons = resolution.refusals.map((r) => r.message).join('; ');
    repeated = condition(
      'Repeated',
      'False',
      'RoundSkipped',
      `round ${round}: ${reasons}`,
      generation,
    );
  } else {
    const action = FAULT_ACTIONS[spec.fault.type];
    const orders = faultOrders(
      orderRun(ctx, name, spec, resolution.plan.seed),
      resolution.plan.targets,
    );
    const inRound = (message: string) => `round ${round}: ${message}`;
    const results = await Promise.all(
      (await applyOrders(driver, action, orders)).map(async (o) =>
        o.ok
          ? (await verifyApplied(driver, [o], inRound))[0]!
          : notVerified(o.order.target.name, inRound(o.error.message)),
      ),
    );
    targets = [...targets, ...resolution.plan.targets.map((t) => recordedTarget(t))];
    verification = [...verification, ...results];
    repeated = condition(
      'Repeated',
      'True',
      'PodDeleted',
      `round ${round}: ${results.map((r) => `${r.pod} ${r.outcome}`).join(', ')}`,
      generation,
    );
  }
  await resources.patchStatus(namespace, name, {
    rounds: round,
    targets,
    verification,
    conditions: setCondition(status.conditions ?? [], repeated),
  });
  return startedAt + round * spec.repeat.interval;
}
