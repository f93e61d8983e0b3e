/**
 * What the controller's parts share: its options, the renew interval, and the in-memory state
 * per experiment (faults this process applied or found, abort conditions seen holding). Also
 * how a run's fault orders are built from the spec, the status and the seed, so begin, renew,
 * repeat and recovery build them the same way (through `engine/fault-run.ts`).
 */
import type { Logger } from '@faultline/kit/logging';
import type { Experiment, ExperimentSchemaOptions } from '../experiment/spec.js';
import type { ExperimentStatus } from '../experiment/status.js';
import { faultOrders, targetOfRecord } from '../engine/fault-run.js';
import type { OrderRun } from '../engine/fault-run.js';
import type { AppliedFault, FaultOrder } from '../engine/platform-driver.js';
import type { ExperimentObject, ExperimentResources } from './experiment-resources.js';
import type { KubernetesDriver } from './kubernetes-driver.js';

export interface ControllerOptions {
  resources: Pick<
    ExperimentResources,
    'get' | 'listWithVersion' | 'patchStatus' | 'setFinalizers' | 'watch'
  >;
  driver: KubernetesDriver;
  namespace: string;
  logger: Logger;
  /** How often agent faults are renewed; their TTL is three times this. Default 2000 ms. */
  renewIntervalMs?: number;
  /** First requeue delay after an error, doubled per failure up to `maxBackoffMs`. Default 200. */
  baseBackoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
  schema?: ExperimentSchemaOptions;
  /** Hooks for metrics and tests. */
  onReconcileError?: (name: string, error: unknown, retryInMs: number) => void;
}

/** The controller's options and in-memory state, handed to each of its parts. */
export interface ControllerContext {
  readonly o: ControllerOptions;
  /** How often agent faults are renewed (and abort conditions polled), in ms. */
  readonly renewMs: number;
  /** Faults this process applied or found, per experiment; absent after a restart. */
  readonly applied: Map<string, AppliedFault[]>;
  /**
   * Per experiment, abort condition index → when it was first seen holding (for `for`). In
   * memory only: after a restart a condition must hold for its `for` again (later, never sooner).
   */
  readonly abortSince: Map<string, Map<number, number>>;
}

/** The experiment an object stands for, as the engine's targeting and explain take it. */
export function experimentOf(
  ctx: ControllerContext,
  obj: ExperimentObject,
  spec: Experiment['spec'],
): Experiment {
  return {
    apiVersion: 'chaos.faultline.dev/v1alpha1',
    kind: 'Experiment',
    metadata: {
      name: obj.metadata.name ?? '',
      namespace: obj.metadata.namespace ?? ctx.o.namespace,
    },
    spec,
  };
}

/** The run the fault orders are built for; agent faults carry a TTL of three renew intervals. */
export function orderRun(
  ctx: ControllerContext,
  experimentId: string,
  spec: Experiment['spec'],
  seed: number,
): OrderRun {
  return { experimentId, spec, ttlMs: ctx.renewMs * 3, seed };
}

/**
 * The orders of a run in flight, from its status: the recorded targets and the seed they were
 * applied with (an object from a controller that did not record it: `spec.seed`, else 0).
 */
export function ordersFor(
  ctx: ControllerContext,
  experimentId: string,
  spec: Experiment['spec'],
  status: Pick<ExperimentStatus, 'targets' | 'seed'>,
): FaultOrder[] {
  const defaults = { namespace: ctx.o.namespace, service: spec.target.service };
  return faultOrders(
    orderRun(ctx, experimentId, spec, status.seed ?? spec.seed ?? 0),
    (status.targets ?? []).map((t) => targetOfRecord(t, defaults)),
  );
}
