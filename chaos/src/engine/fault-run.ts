/**
 * The fault-run core shared by the local engine's phases and the Kubernetes controller, so the
 * two cannot drift: one fault order per target (its own stream of draws from the run's seed),
 * applying an order without throwing, verifying applied orders (a check that throws is a
 * "not-verified" result, never a crash), and how a target is recorded and read back for
 * re-apply and recovery.
 */
import type { Experiment } from '../experiment/spec.js';
import type { RecordedTarget, VerificationResult } from '../experiment/status.js';
import type { CandidatePod } from '../experiment/targeting.js';
import type { FaultAction } from './fault-actions.js';
import type { AppliedFault, FaultOrder, PlatformDriver } from './platform-driver.js';

/** What every order of one run shares. */
export interface OrderRun {
  experimentId: string;
  spec: Pick<Experiment['spec'], 'fault' | 'target'>;
  ttlMs: number;
  /** The run's seed (spec.seed, an override, or drawn at random and recorded). */
  seed: number;
}

/** A fault order and what it applied. */
export interface AppliedOrder {
  order: FaultOrder;
  done: AppliedFault[];
}

/** How applying one order ended. */
export type ApplyOutcome =
  ({ ok: true } & AppliedOrder) | { ok: false; order: FaultOrder; error: Error };

/** The order for each target; target i draws from `seed + i`, still replayable from the seed. */
export function faultOrders(run: OrderRun, targets: readonly CandidatePod[]): FaultOrder[] {
  const { spec } = run;
  return targets.map((target, i) => ({
    experimentId: run.experimentId,
    fault: spec.fault,
    target,
    ...(spec.target.link === undefined ? {} : { link: spec.target.link }),
    ttlMs: run.ttlMs,
    seed: (run.seed + i) >>> 0,
  }));
}

/** Applies one order with the fault type's action; an error is an outcome, not a throw. */
export async function applyOrder(
  driver: PlatformDriver,
  action: FaultAction,
  order: FaultOrder,
): Promise<ApplyOutcome> {
  try {
    return { ok: true, order, done: await action.apply(driver, order) };
  } catch (e) {
    return { ok: false, order, error: e as Error };
  }
}

/** Applies every order in parallel (all are attempted even when one fails). */
export function applyOrders(
  driver: PlatformDriver,
  action: FaultAction,
  orders: readonly FaultOrder[],
): Promise<ApplyOutcome[]> {
  return Promise.all(orders.map((order) => applyOrder(driver, action, order)));
}

/** A target the fault was not observed on, with what was seen instead. */
export function notVerified(pod: string, observed: string): VerificationResult {
  return { pod, outcome: 'not-verified', observed, at: new Date().toISOString() };
}

/**
 * The platform's check of each applied order, in parallel. A check that throws becomes
 * not-verified, its message told by `describe` (default "verification failed: …").
 */
export function verifyApplied(
  driver: Pick<PlatformDriver, 'verify'>,
  applied: readonly AppliedOrder[],
  describe: (message: string) => string = (m) => `verification failed: ${m}`,
): Promise<VerificationResult[]> {
  return Promise.all(
    applied.map(async ({ order, done }) => {
      try {
        return await driver.verify(order, done);
      } catch (e) {
        return notVerified(order.target.name, describe((e as Error).message));
      }
    }),
  );
}

/** How a target is recorded at apply time (recovery and re-apply use exactly these). */
export function recordedTarget(t: CandidatePod): RecordedTarget {
  return {
    pod: t.name,
    namespace: t.namespace,
    service: t.service,
    ...(t.uid ? { uid: t.uid } : {}),
    ...(t.role ? { role: t.role } : {}),
  };
}

/** A recorded target as a target again; what an older record lacks comes from `defaults`. */
export function targetOfRecord(
  t: RecordedTarget,
  defaults: { namespace: string; service: string },
): CandidatePod {
  return {
    name: t.pod,
    namespace: t.namespace ?? defaults.namespace,
    service: t.service ?? defaults.service,
    labels: {},
    ...(t.uid ? { uid: t.uid } : {}),
    ...(t.role ? { role: t.role } : {}),
  };
}
