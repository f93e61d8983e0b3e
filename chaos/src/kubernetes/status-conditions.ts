/**
 * Builders for the conditions an experiment's status carries. Each condition says one thing
 * (Validated, SafetyChecked, Applied, Verified, Recovered, Resumed, Repeated, Aborted) with a
 * reason and the generation it observed; the whole array is written at once because a merge
 * patch replaces arrays.
 */
import type { ExperimentCondition, VerificationResult } from '../experiment/status.js';

/** One condition, stamped now. */
export function condition(
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
export function setCondition(
  conditions: readonly ExperimentCondition[],
  c: ExperimentCondition,
): ExperimentCondition[] {
  return [...conditions.filter((x) => x.type !== c.type), c];
}

/** Verified: True when every fault was observed, False when one was not, else Unknown. */
export function verifiedCondition(
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

/** Recovered: True when nothing failed to recover, else False with every error. */
export function recoveredCondition(
  errors: readonly string[],
  generation?: number,
): ExperimentCondition {
  return errors.length === 0
    ? condition('Recovered', 'True', 'FaultsRemoved', undefined, generation)
    : condition('Recovered', 'False', 'RecoveryFailed', errors.join('; '), generation);
}
