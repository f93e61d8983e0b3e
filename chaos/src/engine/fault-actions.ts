/**
 * Every experiment fault type as an apply/recover pair over recorded targets (Chaos Mesh's
 * shape). Held faults live in an agent with a TTL that the engine renews; one-shot faults are
 * done when applied and recover with an explicit no-op. `satisfies` checks at compile time
 * that every fault type has a pair.
 */
import type { ExperimentFaultType } from '../experiment/spec.js';
import type { AppliedFault, FaultOrder, PlatformDriver } from './platform-driver.js';

export interface FaultAction {
  /** Done when applied: nothing to renew, nothing to recover. */
  readonly oneShot: boolean;
  apply(driver: PlatformDriver, order: FaultOrder): Promise<AppliedFault[]>;
  recover(driver: PlatformDriver, applied: AppliedFault): Promise<void>;
}

/** A fault held by the platform (an agent) until recovered or its TTL runs out. */
const heldFault = {
  oneShot: false,
  apply: (driver, order) => driver.apply(order),
  recover: (driver, applied) => driver.recover(applied),
} satisfies FaultAction;

/** A one-shot fault: the kill happened; the platform restarts the pod. */
const oneShotFault = {
  oneShot: true,
  apply: (driver, order) => driver.apply(order),
  // Nothing to undo: a killed pod is brought back by the platform, not by us.
  recover: async () => {},
} satisfies FaultAction;

export const FAULT_ACTIONS = {
  'pod-kill': oneShotFault,
  'pod-pause': heldFault,
  latency: heldFault,
  bandwidth: heldFault,
  partition: heldFault,
  'http-fault': heldFault,
} as const satisfies Record<ExperimentFaultType, FaultAction>;
