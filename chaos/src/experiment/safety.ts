/**
 * Guard rails checked before anything is applied: the target's namespace and service must be
 * allowed, every candidate pod must carry the opt-in label, and the experiment may not make
 * more than `maxReplicaShare` of a service unavailable (never all of it) unless the spec says
 * `allowFullService: true`. Each refusal says what to change.
 */
import { parseLabelRequirement } from './spec.js';
import type { ExperimentSpec } from './spec.js';
import type { CandidatePod } from './targeting.js';

export type RefusalCode =
  | 'namespace-not-allowed'
  | 'service-not-allowed'
  | 'no-matching-pods'
  | 'not-enough-pods'
  | 'opt-in-label-missing'
  | 'replica-share-exceeded';

/** Why an experiment will not run, in words a person can act on. */
export interface Refusal {
  code: RefusalCode;
  message: string;
  /** Pods the refusal is about, when there are any. */
  pods?: string[];
}

/** Namespace and service allow-lists. */
export function checkScope(spec: ExperimentSpec, namespace: string): Refusal[] {
  const out: Refusal[] = [];
  const { allowedNamespaces, allowedServices } = spec.safety;
  if (allowedNamespaces && !allowedNamespaces.includes(namespace)) {
    out.push({
      code: 'namespace-not-allowed',
      message: `namespace ${namespace} is not allowed; allowed: ${allowedNamespaces.join(', ')} (spec.safety.allowedNamespaces)`,
    });
  }
  if (allowedServices && !allowedServices.includes(spec.target.service)) {
    out.push({
      code: 'service-not-allowed',
      message: `service ${spec.target.service} is not allowed; allowed: ${allowedServices.join(', ')} (spec.safety.allowedServices)`,
    });
  }
  return out;
}

/**
 * Every pod that matched the selector must carry the opt-in label, not only the ones the dice
 * picked: whether an experiment is allowed must not depend on the seed.
 */
export function checkOptIn(spec: ExperimentSpec, matched: readonly CandidatePod[]): Refusal[] {
  const { key, value } = parseLabelRequirement(spec.safety.optInLabel);
  const missing = matched.filter((p) => p.labels[key] !== value).map((p) => p.name);
  if (missing.length === 0) return [];
  return [
    {
      code: 'opt-in-label-missing',
      pods: missing,
      message: `${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not carry the opt-in label ${spec.safety.optInLabel}; label the pod${missing.length === 1 ? '' : 's'} to allow chaos, or narrow spec.target.selector`,
    },
  ];
}

/** The share of the service that would be unavailable: targets plus replicas already not ready. */
export function unavailableShare(
  targets: readonly CandidatePod[],
  replicas: readonly CandidatePod[],
): { unavailable: number; replicas: number; share: number } {
  const down = new Set(targets.map((p) => p.name));
  for (const p of replicas) if (p.ready === false) down.add(p.name);
  const n = replicas.length;
  return { unavailable: down.size, replicas: n, share: n === 0 ? 0 : down.size / n };
}

/** The replica-share limit; taking every replica needs `allowFullService` whatever the limit. */
export function checkReplicaShare(
  spec: ExperimentSpec,
  targets: readonly CandidatePod[],
  replicas: readonly CandidatePod[],
): Refusal[] {
  const { maxReplicaShare, allowFullService } = spec.safety;
  if (allowFullService) return [];
  const u = unavailableShare(targets, replicas);
  const whole = u.unavailable >= u.replicas;
  if (!whole && u.share <= maxReplicaShare) return [];
  const notReady = u.unavailable - targets.length;
  const pct = Math.round(u.share * 100);
  return [
    {
      code: 'replica-share-exceeded',
      pods: targets.map((p) => p.name),
      message:
        `would make ${u.unavailable} of ${u.replicas} ${spec.target.service} replicas unavailable (${pct}%` +
        (notReady > 0 ? `, ${notReady} already not ready` : '') +
        `), ${whole ? 'the whole service' : `more than maxReplicaShare ${maxReplicaShare}`}; ` +
        'set spec.safety.allowFullService: true to allow it explicitly, or target fewer pods',
    },
  ];
}
