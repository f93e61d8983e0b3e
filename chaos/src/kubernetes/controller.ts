/**
 * The experiment controller: reconciles `Experiment` objects in one namespace. A new object gets
 * a finalizer; its spec is validated (invalid → Failed, the problems in a condition); targets are
 * resolved and safety checked (refused → Refused, with every reason); status goes Running with
 * the targets and the end time *before* anything is applied, then each fault is applied and
 * verified. While Running, abort conditions are polled (one holding → everything recovered,
 * Aborted), agent faults are renewed (they carry a short TTL) and re-applied if they expired,
 * and a repeating pod-kill kills again each interval; after the duration everything recorded is
 * recovered → Completed. Deletion
 * recovers first, then removes the finalizer. State lives in the object's status and in the
 * world (agent faults and NetworkPolicies carry the experiment id), so a restarted controller
 * lists experiments and resumes or recovers the ones in flight. Errors requeue with back-off.
 */
import type { Logger } from '@faultline/kit/logging';
import { explainExperiment } from '../experiment/explain.js';
import type { Experiment, ExperimentSchemaOptions } from '../experiment/spec.js';
import { TERMINAL_PHASES } from '../experiment/status.js';
import type {
  ExperimentCondition,
  ExperimentStatus,
  VerificationResult,
} from '../experiment/status.js';
import { resolveTargetsOn } from '../experiment/targeting.js';
import { checkAbortConditions } from '../engine/abort-watch.js';
import { FAULT_ACTIONS } from '../engine/fault-actions.js';
import {
  applyOrders,
  faultOrders,
  notVerified,
  recordedTarget,
  targetOfRecord,
  verifyApplied,
} from '../engine/fault-run.js';
import type { AppliedOrder, OrderRun } from '../engine/fault-run.js';
import type { AppliedFault, FaultOrder } from '../engine/platform-driver.js';
import { parseExperimentObjectSpec } from './experiment-resources.js';
import type { ExperimentObject, ExperimentResources } from './experiment-resources.js';
import type { KubernetesDriver } from './kubernetes-driver.js';

/** The finalizer that makes deletion wait until the experiment's faults are recovered. */
export const RECOVER_FINALIZER = 'chaos.faultline.dev/recover';

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

interface QueueEntry {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  due?: number;
  failures: number;
}

export class ExperimentController {
  readonly #o: ControllerOptions;
  readonly #queue = new Map<string, QueueEntry>();
  /** Faults this process applied or found, per experiment; absent after a restart. */
  readonly #applied = new Map<string, AppliedFault[]>();
  /**
   * Per experiment, abort condition index → when it was first seen holding (for `for`). In
   * memory only: after a restart a condition must hold for its `for` again (later, never sooner).
   */
  readonly #abortSince = new Map<string, Map<number, number>>();
  readonly #inFlight = new Set<Promise<void>>();
  #watch: AbortController | undefined;
  #watchRetry: NodeJS.Timeout | undefined;
  #watchFailures = 0;
  #stopped = false;

  constructor(options: ControllerOptions) {
    this.#o = options;
  }

  get #renewMs(): number {
    return this.#o.renewIntervalMs ?? 2000;
  }

  /**
   * Lists every experiment (the ones in flight are resumed or recovered by their first
   * reconcile), removes NetworkPolicies whose experiment is gone, then watches for changes.
   */
  async start(): Promise<void> {
    await this.#listAndWatch();
  }

  /**
   * Stops watching and reconciling, and waits for reconciles in progress. Faults are left as
   * they are: agent faults expire within their TTL; a successor controller takes over the rest.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch?.abort();
    clearTimeout(this.#watchRetry);
    for (const e of this.#queue.values()) clearTimeout(e.timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  async #listAndWatch(): Promise<void> {
    const { resources, namespace, logger } = this.#o;
    try {
      const { items, resourceVersion } = await resources.listWithVersion(namespace);
      for (const obj of items) this.#enqueue(obj.metadata.name ?? '');
      const names = new Set(items.map((o) => o.metadata.name));
      const live = (id: string) => {
        const o = items.find((i) => i.metadata.name === id);
        return names.has(id) && !TERMINAL_PHASES.includes(o?.status?.phase ?? 'Pending');
      };
      for (const stale of await this.#o.driver.partition.findStale(namespace, live)) {
        logger.info(
          { policy: stale.policyName },
          'removing a NetworkPolicy left by a finished experiment',
        );
        await this.#o.driver.partition.recover(stale);
      }
      if (this.#stopped) return;
      this.#watch = await resources.watch(
        namespace,
        (type, obj) => {
          const name = obj.metadata.name ?? '';
          if (type === 'ADDED' || type === 'MODIFIED') this.#enqueue(name);
          else if (type === 'DELETED') this.#forget(name);
        },
        (err) => {
          if (this.#stopped) return;
          logger.warn({ err }, 'experiment watch ended; listing and watching again');
          this.#retryWatch();
        },
        // From the list's version: nothing changed between the list and the watch is missed.
        resourceVersion,
      );
      this.#watchFailures = 0;
    } catch (err) {
      if (this.#stopped) return;
      logger.warn({ err }, 'cannot list or watch experiments; retrying');
      this.#retryWatch();
    }
  }

  #retryWatch(): void {
    const delay = this.#backoff(++this.#watchFailures);
    clearTimeout(this.#watchRetry);
    this.#watchRetry = setTimeout(() => void this.#listAndWatch(), delay);
  }

  #backoff(failures: number): number {
    const base = this.#o.baseBackoffMs ?? 200;
    return Math.min(this.#o.maxBackoffMs ?? 30_000, base * 2 ** Math.max(0, failures - 1));
  }

  /** Queues a reconcile of `name` now, or after `delayMs` (the earliest request wins). */
  #enqueue(name: string, delayMs = 0): void {
    if (this.#stopped || name === '') return;
    let e = this.#queue.get(name);
    if (!e) {
      e = { running: false, dirty: false, failures: 0 };
      this.#queue.set(name, e);
    }
    const entry = e;
    if (delayMs > 0) {
      const due = Date.now() + delayMs;
      if (entry.timer && entry.due !== undefined && entry.due <= due) return;
      clearTimeout(entry.timer);
      entry.due = due;
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        entry.due = undefined;
        this.#enqueue(name);
      }, delayMs);
      return;
    }
    if (entry.running) {
      entry.dirty = true;
      return;
    }
    entry.running = true;
    const run = this.#drain(name, entry).finally(() => this.#inFlight.delete(run));
    this.#inFlight.add(run);
  }

  /** One reconcile at a time per object; changes seen meanwhile run it once more. */
  async #drain(name: string, entry: QueueEntry): Promise<void> {
    do {
      entry.dirty = false;
      try {
        const requeueMs = await this.#reconcile(name);
        entry.failures = 0;
        if (requeueMs !== undefined) this.#enqueue(name, Math.max(1, requeueMs));
      } catch (error) {
        const retryInMs = this.#backoff(++entry.failures);
        this.#o.logger.warn(
          { err: error, experiment: name, retryInMs },
          'reconcile failed; requeued',
        );
        this.#o.onReconcileError?.(name, error, retryInMs);
        this.#enqueue(name, retryInMs);
      }
    } while (entry.dirty && !this.#stopped);
    entry.running = false;
  }

  #forget(name: string): void {
    const e = this.#queue.get(name);
    if (e) clearTimeout(e.timer);
    if (e && !e.running) this.#queue.delete(name);
    this.#applied.delete(name);
    this.#abortSince.delete(name);
  }

  /** Brings one experiment a step closer to what it asks; returns when to look again. */
  async #reconcile(name: string): Promise<number | undefined> {
    if (this.#stopped) return undefined;
    const { resources, namespace } = this.#o;
    const obj = await resources.get(namespace, name);
    if (!obj) {
      this.#applied.delete(name);
      return undefined;
    }
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp !== undefined) {
      if (!finalizers.includes(RECOVER_FINALIZER)) return undefined;
      await this.#recoverAll(obj);
      await resources.setFinalizers(
        namespace,
        name,
        finalizers.filter((f) => f !== RECOVER_FINALIZER),
        obj.metadata.resourceVersion,
      );
      this.#applied.delete(name);
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
    if (phase === undefined || phase === 'Pending') return this.#begin(obj);
    return this.#continue(obj);
  }

  /** Validate, resolve targets, record Running, apply and verify. */
  async #begin(obj: ExperimentObject): Promise<number | undefined> {
    const { resources, namespace, driver } = this.#o;
    const name = obj.metadata.name ?? '';
    const generation = obj.metadata.generation;
    const gen = generation === undefined ? {} : { observedGeneration: generation };
    const now = () => new Date().toISOString();
    const parsed = parseExperimentObjectSpec(obj, this.#o.schema);
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
    const experiment = this.#experiment(obj, parsed.spec);
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
    const orders = faultOrders(this.#orderRun(name, spec, resolution.plan.seed), targets);
    const outcomes = await applyOrders(driver, action, orders);
    const perOrder: AppliedOrder[] = [];
    const errors: string[] = [];
    for (const o of outcomes)
      if (o.ok) perOrder.push(o);
      else errors.push(`${o.order.target.name}: ${o.error.message}`);
    const applied: AppliedFault[] = perOrder.flatMap((p) => p.done);
    this.#applied.set(name, applied);
    if (errors.length > 0) {
      // Half an experiment is not what was asked for: undo the rest.
      const recoverErrors = await this.#recoverApplied(spec.fault.type, applied);
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
      this.#applied.delete(name);
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
    return Math.max(0, Math.min(this.#renewMs, endsAt - Date.now()));
  }

  /** Running: renew (or re-apply) held faults until the end, then recover → Completed. */
  async #continue(obj: ExperimentObject): Promise<number | undefined> {
    const { resources, namespace } = this.#o;
    const name = obj.metadata.name ?? '';
    const status = obj.status ?? {};
    const generation = obj.metadata.generation;
    const parsed = parseExperimentObjectSpec(obj, this.#o.schema);
    const endsAt = status.endsAt ? Date.parse(status.endsAt) : 0;
    const conditions = status.conditions ?? [];
    if (!parsed.ok || Date.now() >= endsAt) {
      const errors = await this.#recoverAll(obj);
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
        conditions: setCondition(conditions, recoveredCondition(errors, generation)),
      });
      this.#applied.delete(name);
      return undefined;
    }
    const spec = parsed.spec;
    if (await this.#abortIfConditionHolds(obj, spec)) return undefined;
    // Abort conditions are polled at the renew interval, whatever the fault.
    const pollMs = spec.safety.abortWhen?.length ? this.#renewMs : Infinity;
    if (FAULT_ACTIONS[spec.fault.type].oneShot) {
      const nextRoundAt = await this.#repeatIfDue(obj, spec);
      const now = Date.now();
      return Math.max(1, Math.min(pollMs, endsAt - now, nextRoundAt - now));
    }
    const ttlMs = this.#renewMs * 3;
    const orders = this.#ordersFor(name, spec, status);
    let known = this.#applied.get(name);
    const resumed = known === undefined;
    if (known === undefined) {
      // Another controller applied these (we restarted): find them where they live.
      known = (await Promise.all(orders.map((o) => this.#o.driver.discoverApplied(o)))).flat();
      this.#applied.set(name, known);
    }
    let renewed = 0;
    const reapplied: string[] = [];
    for (const order of orders) {
      const mine: AppliedFault[] = known.filter((a) => a.pod === order.target.name);
      const alive: AppliedFault[] = [];
      for (const a of mine) if (await this.#o.driver.renew(a, ttlMs)) alive.push(a);
      renewed += alive.length;
      if (mine.length > 0 && alive.length === mine.length) continue;
      // Expired (nobody renewed it in time) or never applied: apply it again.
      await Promise.allSettled(
        mine.filter((a) => !alive.includes(a)).map((a) => this.#o.driver.recover(a)),
      );
      const fresh = await this.#o.driver.apply(order);
      known = [...known.filter((a) => !mine.includes(a)), ...alive, ...fresh];
      this.#applied.set(name, known);
      reapplied.push(order.target.name);
    }
    if (resumed || reapplied.length > 0) {
      const message = `${resumed ? 'controller restarted: ' : ''}renewed ${renewed} fault${renewed === 1 ? '' : 's'}${reapplied.length > 0 ? `, re-applied on ${reapplied.join(', ')} (expired)` : ''}`;
      await resources.patchStatus(namespace, name, {
        conditions: setCondition(
          conditions,
          condition(
            'Resumed',
            'True',
            reapplied.length > 0 ? 'FaultsReapplied' : 'FaultsRenewed',
            message,
            generation,
          ),
        ),
      });
    }
    return Math.max(1, Math.min(this.#renewMs, endsAt - Date.now()));
  }

  /**
   * Queries `spec.safety.abortWhen` against the controller's Prometheus; when one holds (for its
   * `for`), recovers everything and ends the experiment Aborted with a condition naming it.
   * Query errors are logged and never abort (as in the engine).
   */
  async #abortIfConditionHolds(obj: ExperimentObject, spec: Experiment['spec']): Promise<boolean> {
    const { resources, namespace, driver, logger } = this.#o;
    const conditions = spec.safety.abortWhen ?? [];
    if (conditions.length === 0 || !driver.prometheusUrl) return false;
    const name = obj.metadata.name ?? '';
    const since = this.#abortSince.get(name) ?? new Map<number, number>();
    this.#abortSince.set(name, since);
    const { trip, errors } = await checkAbortConditions(driver.prometheusUrl, conditions, since);
    for (const message of errors) logger.warn({ experiment: name }, message);
    if (!trip) return false;
    logger.warn({ experiment: name, promql: trip.promql }, 'abort condition holds: recovering');
    const recoverErrors = await this.#recoverAll(obj);
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
    this.#applied.delete(name);
    this.#abortSince.delete(name);
    return true;
  }

  /**
   * pod-kill with `repeat`: when the next round is due (`startedAt + rounds × interval`, from the
   * status, so a restarted controller neither skips nor doubles a round), targets are resolved
   * and safety-checked again, killed and verified; the round is counted either way. Returns
   * when the next round is due (Infinity without `repeat`).
   */
  async #repeatIfDue(obj: ExperimentObject, spec: Experiment['spec']): Promise<number> {
    const status = obj.status ?? {};
    if (!spec.repeat || !status.startedAt) return Infinity;
    const { resources, namespace, driver } = this.#o;
    const name = obj.metadata.name ?? '';
    const generation = obj.metadata.generation;
    const startedAt = Date.parse(status.startedAt);
    const rounds = status.rounds ?? 1;
    const dueAt = startedAt + rounds * spec.repeat.interval;
    if (Date.now() < dueAt) return dueAt;
    const resolution = await resolveTargetsOn(driver, this.#experiment(obj, spec), {
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
        this.#orderRun(name, spec, resolution.plan.seed),
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

  /** Recovers everything the experiment holds (known here or found in the world). */
  async #recoverAll(obj: ExperimentObject): Promise<string[]> {
    const name = obj.metadata.name ?? '';
    const parsed = parseExperimentObjectSpec(obj, this.#o.schema);
    if (!parsed.ok) return [];
    const orders = this.#ordersFor(name, parsed.spec, obj.status ?? {});
    const known = this.#applied.get(name) ?? [];
    const found = (await Promise.all(orders.map((o) => this.#o.driver.discoverApplied(o)))).flat();
    const all = [...known];
    for (const a of found)
      if (!all.some((k) => k.faultId === a.faultId && k.pod === a.pod)) all.push(a);
    return this.#recoverApplied(parsed.spec.fault.type, all);
  }

  async #recoverApplied(
    type: keyof typeof FAULT_ACTIONS,
    applied: readonly AppliedFault[],
  ): Promise<string[]> {
    const errors: string[] = [];
    await Promise.all(
      applied.map(async (a) => {
        try {
          await FAULT_ACTIONS[type].recover(this.#o.driver, a);
          if (a.kind !== 'one-shot' && (await this.#o.driver.isActive(a)))
            errors.push(`${a.pod}: ${a.faultId} is still active`);
        } catch (e) {
          errors.push(`${a.pod}: ${(e as Error).message}`);
        }
      }),
    );
    return errors;
  }

  #experiment(obj: ExperimentObject, spec: Experiment['spec']): Experiment {
    return {
      apiVersion: 'chaos.faultline.dev/v1alpha1',
      kind: 'Experiment',
      metadata: {
        name: obj.metadata.name ?? '',
        namespace: obj.metadata.namespace ?? this.#o.namespace,
      },
      spec,
    };
  }

  #orderRun(experimentId: string, spec: Experiment['spec'], seed: number): OrderRun {
    return { experimentId, spec, ttlMs: this.#renewMs * 3, seed };
  }

  /**
   * The orders of a run in flight, from its status: the recorded targets and the seed they were
   * applied with (an object from a controller that did not record it: `spec.seed`, else 0).
   */
  #ordersFor(
    experimentId: string,
    spec: Experiment['spec'],
    status: Pick<ExperimentStatus, 'targets' | 'seed'>,
  ): FaultOrder[] {
    const defaults = { namespace: this.#o.namespace, service: spec.target.service };
    return faultOrders(
      this.#orderRun(experimentId, spec, status.seed ?? spec.seed ?? 0),
      (status.targets ?? []).map((t) => targetOfRecord(t, defaults)),
    );
  }
}

function condition(
  type: string,
  status: ExperimentCondition['status'],
  reason: string,
  message?: string,
  observedGeneration?: number,
): ExperimentCondition {
  return {
    type,
    status,
    reason,
    ...(message === undefined ? {} : { message }),
    lastTransitionTime: new Date().toISOString(),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
}

/** `conditions` with `c` replacing the one of its type (merge patch replaces whole arrays). */
function setCondition(
  conditions: readonly ExperimentCondition[],
  c: ExperimentCondition,
): ExperimentCondition[] {
  return [...conditions.filter((x) => x.type !== c.type), c];
}

function verifiedCondition(
  v: readonly VerificationResult[],
  generation?: number,
): ExperimentCondition {
  const observed = v.map((r) => `${r.pod}: ${r.observed}`).join('; ');
  if (v.every((r) => r.outcome === 'verified'))
    return condition('Verified', 'True', 'FaultObserved', observed, generation);
  if (v.some((r) => r.outcome === 'not-verified'))
    return condition('Verified', 'False', 'FaultNotObserved', observed, generation);
  return condition('Verified', 'Unknown', 'Unverifiable', observed, generation);
}

function recoveredCondition(errors: readonly string[], generation?: number): ExperimentCondition {
  return errors.length === 0
    ? condition('Recovered', 'True', 'FaultsRemoved', undefined, generation)
    : condition('Recovered', 'False', 'RecoveryFailed', errors.join('; '), generation);
}
