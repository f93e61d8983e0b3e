/**
 * The experiment controller: reconciles `Experiment` objects in one namespace. A new object gets
 * a finalizer; a Pending one is begun (validated, safety checked, recorded Running, applied and
 * verified: `experiment-begin.ts`). While Running, abort conditions are polled
 * (`experiment-abort.ts`), agent faults are renewed or re-applied (`fault-renewal.ts`) and a
 * repeating pod-kill kills again each interval (`pod-kill-repeat.ts`); after the duration
 * everything recorded is recovered → Completed (`experiment-recovery.ts`). Deletion recovers
 * first, then removes the finalizer. State lives in the object's status and in the world (agent
 * faults and NetworkPolicies carry the experiment id), so a restarted controller lists
 * experiments (`experiment-watch.ts`) and resumes or recovers the ones in flight. Errors requeue
 * with back-off (`controller-queue.ts`).
 */
import { TERMINAL_PHASES } from '../experiment/status.js';
import { FAULT_ACTIONS } from '../engine/fault-actions.js';
import type { ControllerContext, ControllerOptions } from './controller-context.js';
import { backoffMs, ReconcileQueue } from './controller-queue.js';
import { abortIfConditionHolds } from './experiment-abort.js';
import { beginExperiment } from './experiment-begin.js';
import { finishExperiment, recoverAll } from './experiment-recovery.js';
import { parseExperimentObjectSpec } from './experiment-resources.js';
import type { ExperimentObject } from './experiment-resources.js';
import { ExperimentWatch } from './experiment-watch.js';
import { renewFaults } from './fault-renewal.js';
import { repeatIfDue } from './pod-kill-repeat.js';

export type { ControllerOptions } from './controller-context.js';

/** The finalizer that makes deletion wait until the experiment's faults are recovered. */
export const RECOVER_FINALIZER = 'chaos.faultline.dev/recover';

export class ExperimentController {
  readonly #ctx: ControllerContext;
  readonly #queue: ReconcileQueue;
  readonly #watch: ExperimentWatch;
  #stopped = false;

  constructor(options: ControllerOptions) {
    this.#ctx = {
      o: options,
      renewMs: options.renewIntervalMs ?? 2000,
      applied: new Map(),
      abortSince: new Map(),
    };
    const backoff = (failures: number) =>
      backoffMs(failures, options.baseBackoffMs ?? 200, options.maxBackoffMs ?? 30_000);
    this.#queue = new ReconcileQueue({
      reconcile: (name) => this.#reconcile(name),
      backoff,
      logger: options.logger,
      ...(options.onReconcileError ? { onReconcileError: options.onReconcileError } : {}),
    });
    this.#watch = new ExperimentWatch({
      o: options,
      enqueue: (name) => this.#queue.enqueue(name),
      forget: (name) => this.#forget(name),
      backoff,
    });
  }

  /**
   * Lists every experiment (the ones in flight are resumed or recovered by their first
   * reconcile), removes NetworkPolicies whose experiment is gone, then watches for changes.
   */
  async start(): Promise<void> {
    await this.#watch.start();
  }

  /**
   * Stops watching and reconciling, and waits for reconciles in progress. Faults are left as
   * they are: agent faults expire within their TTL; a successor controller takes over the rest.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch.stop();
    await this.#queue.stop();
  }

  #forget(name: string): void {
    this.#queue.forget(name);
    this.#ctx.applied.delete(name);
    this.#ctx.abortSince.delete(name);
  }

  /** Brings one experiment a step closer to what it asks; returns when to look again. */
  async #reconcile(name: string): Promise<number | undefined> {
    if (this.#stopped) return undefined;
    const ctx = this.#ctx;
    const { resources, namespace } = ctx.o;
    const obj = await resources.get(namespace, name);
    if (!obj) {
      ctx.applied.delete(name);
      return undefined;
    }
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp !== undefined) {
      if (!finalizers.includes(RECOVER_FINALIZER)) return undefined;
      await recoverAll(ctx, obj);
      await resources.setFinalizers(
        namespace,
        name,
        finalizers.filter((f) => f !== RECOVER_FINALIZER),
        obj.metadata.resourceVersion,
      );
      ctx.applied.delete(name);
      return undefined;
    }
    if (!finalizers.includes(RECOVER_FINALIZER)) {
      // Conditional on resourceVersion; the MODIFIED event it causes brings us back.
      await resources.setFinalizers(
        namespace,
        name,
        [...finalizers, RECOVER_FINALIZER],
        obj.metadata.resourceVersion,
      );
      return undefined;
    }
    const phase = obj.status?.phase;
    if (phase !== undefined && TERMINAL_PHASES.includes(phase)) return undefined;
    if (phase === undefined || phase === 'Pending') return beginExperiment(ctx, obj);
    return this.#continue(obj);
  }

  /** Running: abort, repeat or renew until the end, then recover → Completed. */
  async #continue(obj: ExperimentObject): Promise<number | undefined> {
    const ctx = this.#ctx;
    const parsed = parseExperimentObjectSpec(obj, ctx.o.schema);
    const endsAt = obj.status?.endsAt ? Date.parse(obj.status.endsAt) : 0;
    if (!parsed.ok || Date.now() >= endsAt) return finishExperiment(ctx, obj);
    const spec = parsed.spec;
    if (await abortIfConditionHolds(ctx, obj, spec)) return undefined;
    if (FAULT_ACTIONS[spec.fault.type].oneShot) {
      // Abort conditions are polled at the renew interval, whatever the fault.
      const pollMs = spec.safety.abortWhen?.length ? ctx.renewMs : Infinity;
      const nextRoundAt = await repeatIfDue(ctx, obj, spec);
      const now = Date.now();
      return Math.max(1, Math.min(pollMs, endsAt - now, nextRoundAt - now));
    }
    return renewFaults(ctx, obj, spec, endsAt);
  }
}
