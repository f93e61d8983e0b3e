/**
 * The one interface between the chaos engine and a platform (local, kubernetes). The engine
 * decides what to do and when; a driver knows how to find pods and reach them. Nothing above
 * this interface knows which platform it runs on (DESIGN.md).
 */
import type { ExperimentFault } from '../experiment/spec.js';
import type { VerificationResult } from '../experiment/status.js';
import type { CandidatePod } from '../experiment/targeting.js';

/** One fault to apply to one target pod. */
export interface FaultOrder {
  /** Run id: agent fault label, metric label, span attribute. */
  experimentId: string;
  fault: ExperimentFault;
  target: CandidatePod;
  /** `spec.target.link`, for network faults. */
  link?: string;
  /** TTL of agent faults; the engine renews them well before it runs out. */
  ttlMs: number;
  /** Seeds the fault's randomness (jitter, http-fault share). */
  seed: number;
}

/**
 * What was done to a pod, recorded at apply time so that recovery (by this engine, by
 * `chaos stop` from another shell, or by nobody: the TTL) touches exactly this. Serialisable.
 */
export interface AppliedFault {
  /** The target pod. */
  pod: string;
  /**
   * `agent`: a fault held (and renewed) in an agent; `one-shot`: done when applied; `platform`:
   * held by the platform itself (a NetworkPolicy): no TTL, removed on recover, and found again
   * by its experiment label when whoever applied it is gone.
   */
  kind: 'agent' | 'one-shot' | 'platform';
  /** The pod's namespace, on platforms that have them. */
  namespace?: string;
  /** Agent faults: the agent's admin URL, token file and fault id (platform faults: the object's name). */
  agentUrl?: string;
  tokenFile?: string;
  faultId?: string;
  /** The pod whose agent holds the fault (differs from `pod` when a link leads to it). */
  agentPod?: string;
  /** The agent's fault type (`latency`, `partition-hard`, `pause` ...). */
  agentFaultType?: string;
  link?: string;
  /** The pod's identity before the fault (pod-kill verifies it changed). */
  uid?: string;
  appliedAt: string;
}

/** A platform's access to pods and their agents. */
export interface PlatformDriver {
  /** `local` or `kubernetes`: said in output, never branched on by the engine. */
  readonly platform: string;
  /** Namespace targets live in when the spec names none. */
  readonly defaultNamespace: string;
  /** Prometheus base URL for abort conditions, when the platform has one. */
  readonly prometheusUrl: string | undefined;
  /**
   * Every pod of `service` (the replica-share denominator and the candidates), with readiness
   * and identity; roles are resolved now, and only when asked (it costs a call per pod).
   */
  listCandidates(scope: { service: string; roles: boolean }): Promise<CandidatePod[]>;
  /** Applies one fault to one target; a fault may need several agents (one record each). */
  apply(order: FaultOrder): Promise<AppliedFault[]>;
  /** Extends an agent fault's TTL; false when the fault is no longer there. */
  renew(applied: AppliedFault, ttlMs: number): Promise<boolean>;
  /** Removes an agent fault; a fault already gone (expired, removed) is not an error. */
  recover(applied: AppliedFault): Promise<void>;
  /** Whether the fault is still held somewhere (after recovery: must be false). */
  isActive(applied: AppliedFault): Promise<boolean>;
  /** Checks the fault took effect on the target and says what was observed. */
  verify(order: FaultOrder, applied: readonly AppliedFault[]): Promise<VerificationResult>;
}
