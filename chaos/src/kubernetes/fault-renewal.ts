/**
 * Keeping held faults alive while an experiment runs. Agent faults carry a TTL of three renew
 * intervals, so each reconcile renews every one; one that expired (nobody renewed it in time)
 * or was never applied is recovered and applied again with the run's recorded orders (same
 * seed, same targets). After a restart the faults are first found where they live. A Resumed
 * condition says what was renewed and re-applied. Returns when to look again.
 */
import type { Experiment } from '../experiment/spec.js';
import type { AppliedFault } from '../engine/platform-driver.js';
import type { ControllerContext } from './controller-context.js';
import { ordersFor } from './controller-context.js';
import type { ExperimentObject } from './experiment-resources.js';
import { condition, setCondition } from './status-conditions.js';

/** Renews (or re-applies) the faults of a Running experiment until `endsAt`. */
export async function renewFaults(
  ctx: ControllerContext,
  obj: ExperimentObject,
  spec: Experiment['spec'],
  endsAt: number,
): Promise<number> {
  const { resources, namespace, driver } = ctx.o;
  const name = obj.metadata.name ?? '';
  const status = obj.status ?? {};
  const ttlMs = ctx.renewMs * 3;
  const orders = ordersFor(ctx, name, spec, status);
  let known = ctx.applied.get(name);
  const resumed = known === undefined;
  if (known === undefined) {
    // Another controller applied these (we restarted): find them where they live.
    known = (await Promise.all(orders.map((o) => driver.discoverApplied(o)))).flat();
    ctx.applied.set(name, known);
  }
  let renewed = 0;
  const reapplied: string[] = [];
  for (const order of orders) {
    const mine: AppliedFault[] = known.filter((a) => a.pod === order.target.name);
    const alive: AppliedFault[] = [];
    for (const a of mine) if (await driver.renew(a, ttlMs)) alive.push(a);
    renewed += alive.length;
    if (mine.length > 0 && alive.length === mine.length) continue;
    // Expired (nobody renewed it in time) or never applied: apply it again.
    await Promise.allSettled(mine.filter((a) => !alive.includes(a)).map((a) => driver.recover(a)));
    const fresh = await driver.apply(order);
    known = [...known.filter((a) => !mine.includes(a)), ...alive, ...fresh];
    ctx.applied.set(name, known);
    reapplied.push(order.target.name);
  }
  if (resumed || reapplied.length > 0) {
    const message = `${resumed ? 'controller restarted: ' : ''}renewed ${renewed} fault${renewed === 1 ? '' : 's'}${reapplied.length > 0 ? `, re-applied on ${reapplied.join(', ')} (expired)` : ''}`;
    await resources.patchStatus(namespace, name, {
      conditions: setCondition(
        status.conditions ?? [],
        condition(
          'Resumed',
          'True',
          reapplied.length > 0 ? 'FaultsReapplied' : 'FaultsRenewed',
          message,
          obj.metadata.generation,
        ),
      ),
    });
  }
  return Math.max(1, Math.min(ctx.renewMs, endsAt - Date.now()));
}
