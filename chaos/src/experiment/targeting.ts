/**
 * Target selection: from the platform's candidate pods, the ones an experiment would affect.
 * Matching is by namespace, service, selector labels and role (resolved by the caller at
 * apply time); the mode picks how many, at random with a seeded RNG so a run (and a test) can
 * be replayed. Then the safety checks run; the result is a plan or every reason for refusal.
 */
import { randomInt } from 'node:crypto';
import { seededRandom } from '@faultline/kit/seeded-random';
import { checkOptIn, checkReplicaShare, checkScope } from './safety.js';
import type { Refusal } from './safety.js';
import type { Experiment, ExperimentSpec, TargetMode } from './spec.js';

/** Namespace local experiments run in when the spec names none. */
export const LOCAL_NAMESPACE = 'local';

/** A pod the platform could target. */
export interface CandidatePod {
  name: string;
  /** The service it is a replica of. */
  service: string;
  namespace: string;
  labels: Record<string, string>;
  /** Leader or follower where the service elects one, resolved by the caller at apply time. */
  role?: 'leader' | 'follower';
  /** Serving traffic; pods already not ready count against the replica share. Default true. */
  ready?: boolean;
  /** Platform identity (kubernetes pod UID, local pid); pod-kill verifies it changes. */
  uid?: string;
}

/** The exact targets an experiment would affect, and what they were chosen from. */
export interface TargetPlan {
  namespace: string;
  service: string;
  /** Every pod of the service in the namespace: the replica-share denominator. */
  replicas: CandidatePod[];
  /** Pods matching service, selector and role. */
  matched: CandidatePod[];
  /** The chosen pods, sorted by name. */
  targets: CandidatePod[];
  /** Seed the choice used (replay with `spec.seed`). */
  seed: number;
}

export type TargetResolution =
  { ok: true; plan: TargetPlan } | { ok: false; refusals: Refusal[]; plan?: TargetPlan };

export interface ResolveOptions {
  /** Namespace when `metadata.namespace` is absent (kubernetes: the context's; local: `local`). */
  defaultNamespace?: string;
  /** Overrides `spec.seed`; absent both, a random seed is used and reported in the plan. */
  seed?: number;
}

/** How many of `matched` pods the mode asks for (percent: rounded down, at least one). */
export function countForMode(mode: TargetMode, matched: number): number {
  if (mode === 'one') return Math.min(1, matched);
  if (mode === 'all') return matched;
  if ('fixed' in mode) return mode.fixed;
  return Math.max(1, Math.floor((matched * mode.percent) / 100));
}

/** Pods of the spec's service in `namespace` that carry every selector label and the role. */
function matchPods(
  spec: ExperimentSpec,
  namespace: string,
  candidates: readonly CandidatePod[],
): { replicas: CandidatePod[]; matched: CandidatePod[] } {
  const byName = (a: CandidatePod, b: CandidatePod) => a.name.localeCompare(b.name);
  const replicas = candidates
    .filter((p) => p.namespace === namespace && p.service === spec.target.service)
    .sort(byName);
  const matched = replicas.filter(
    (p) =>
      Object.entries(spec.target.selector).every(([k, v]) => p.labels[k] === v) &&
      (spec.target.role === undefined || p.role === spec.target.role),
  );
  return { replicas, matched };
}

/** `k` of `pods` chosen by a seeded partial Fisher–Yates shuffle, returned sorted by name. */
export function choosePods(pods: readonly CandidatePod[], k: number, seed: number): CandidatePod[] {
  const pool = [...pods].sort((a, b) => a.name.localeCompare(b.name));
  const rng = seededRandom(seed);
  for (let i = 0; i < Math.min(k, pool.length); i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as CandidatePod, pool[i] as CandidatePod];
  }
  return pool.slice(0, k).sort((a, b) => a.name.localeCompare(b.name));
}

/** What lists a service's pods: every platform driver. */
export interface CandidateSource {
  listCandidates(scope: { service: string; roles: boolean }): Promise<CandidatePod[]>;
}

/**
 * `resolveTargets` over the pods `source` lists now; roles are looked up only when the spec
 * targets one (it costs a call per pod).
 */
export async function resolveTargetsOn(
  source: CandidateSource,
  experiment: Experiment,
  options: ResolveOptions = {},
): Promise<TargetResolution> {
  const { target } = experiment.spec;
  const candidates = await source.listCandidates({
    service: target.service,
    roles: target.role !== undefined,
  });
  return resolveTargets(experiment, candidates, options);
}

/**
 * Resolves an experiment's targets and checks every safety rule. Refusals are collected, not
 * stopped at the first, so one run shows everything to fix.
 */
export function resolveTargets(
  experiment: Experiment,
  candidates: readonly CandidatePod[],
  options: ResolveOptions = {},
): TargetResolution {
  const spec = experiment.spec;
  const namespace = experiment.metadata.namespace ?? options.defaultNamespace ?? LOCAL_NAMESPACE;
  const seed = options.seed ?? spec.seed ?? randomInt(0, 0xffff_ffff);
  const refusals = checkScope(spec, namespace);
  const { replicas, matched } = matchPods(spec, namespace, candidates);
  if (matched.length === 0) {
    refusals.push({ code: 'no-matching-pods', message: noMatchMessage(spec, namespace, replicas) });
    return { ok: false, refusals };
  }
  const k = countForMode(spec.target.mode, matched.length);
  if (k > matched.length) {
    refusals.push({
      code: 'not-enough-pods',
      message: `mode fixed: ${k} but only ${matched.length} ${spec.target.service} pod${matched.length === 1 ? '' : 's'} match (${matched.map((p) => p.name).join(', ')}); lower spec.target.mode.fixed or widen the selector`,
    });
    return { ok: false, refusals };
  }
  const targets = choosePods(matched, k, seed);
  const plan: TargetPlan = {
    namespace,
    service: spec.target.service,
    replicas,
    matched,
    targets,
    seed,
  };
  refusals.push(...checkOptIn(spec, matched), ...checkReplicaShare(spec, targets, replicas));
  return refusals.length === 0 ? { ok: true, plan } : { ok: false, refusals, plan };
}

function noMatchMessage(spec: ExperimentSpec, namespace: string, replicas: CandidatePod[]): string {
  const t = spec.target;
  if (replicas.length === 0) return `no pods of service ${t.service} in namespace ${namespace}`;
  const selector = Object.entries(t.selector).map(([k, v]) => `${k}=${v}`);
  const what = [...selector, ...(t.role ? [`role ${t.role}`] : [])].join(', ');
  const roles =
    t.role && replicas.every((p) => p.role === undefined) ? ' (no pod reported a role)' : '';
  return `none of the ${replicas.length} ${t.service} pods match ${what}${roles}`;
}
