/**
 * Plain words for what an experiment would do to which pods: the text of
 * `faultline chaos explain FILE` and of `--dry-run`. Pure: it changes nothing and needs only
 * the spec and the resolved targets.
 */
import { formatDuration } from './duration.js';
import { unavailableShare } from './safety.js';
import type { Experiment, ExperimentFault } from './spec.js';
import type { CandidatePod, TargetResolution } from './targeting.js';

export interface Explanation {
  /** One sentence: what would be done to which pods, for how long, by which mechanism. */
  action: string;
  /** Further facts: how targets were chosen, safety limits, abort conditions, dry run. */
  details: string[];
  /** Why it would be refused; empty when it would run. */
  refusals: string[];
  /** Everything above as lines of text. */
  text: string;
}

/** Describes `experiment` applied to the targets in `resolution` (or why it is refused). */
export function explainExperiment(
  experiment: Experiment,
  resolution: TargetResolution,
): Explanation {
  const spec = experiment.spec;
  const plan = resolution.plan;
  const targets = plan?.targets ?? [];
  const action = describeAction(experiment, targets, plan?.replicas.length ?? 0);
  const details: string[] = [];
  if (plan) {
    const how = [`service ${spec.target.service}`, `namespace ${plan.namespace}`];
    for (const [k, v] of Object.entries(spec.target.selector)) how.push(`${k}=${v}`);
    if (spec.target.role) how.push(`role ${spec.target.role}`);
    details.push(
      `targets: ${names(targets)}, mode ${modeWords(spec.target.mode)} of ${plan.matched.length} matching pod${plural(plan.matched.length)} (${how.join(', ')}; seed ${plan.seed})`,
    );
    const u = unavailableShare(targets, plan.replicas);
    details.push(
      `safety: opt-in label ${spec.safety.optInLabel} required; ${u.unavailable} of ${u.replicas} ${spec.target.service} replicas affected (${Math.round(u.share * 100)}%, limit ${Math.round(spec.safety.maxReplicaShare * 100)}%${spec.safety.allowFullService ? ', allowFullService: true' : ''})`,
    );
  }
  for (const c of spec.safety.abortWhen ?? []) {
    details.push(
      `abort when: ${c.promql}${c.for !== undefined ? ` holds for ${formatDuration(c.for)}` : ''}`,
    );
  }
  if (spec.safety.dryRun) details.push('dry run: nothing will be changed');
  const refusals = resolution.ok ? [] : resolution.refusals.map((r) => r.message);
  const head = `${experiment.metadata.name}: ${resolution.ok ? '' : 'REFUSED, would '}${action}`;
  const lines = [head, ...details.map((d) => `  ${d}`), ...refusals.map((r) => `  refused: ${r}`)];
  return { action, details, refusals, text: lines.join('\n') };
}

function describeAction(experiment: Experiment, targets: CandidatePod[], replicas: number): string {
  const spec = experiment.spec;
  const f: ExperimentFault = spec.fault;
  const who = names(targets);
  const d = formatDuration(spec.duration);
  const link = spec.target.link;
  const role = spec.target.role ? ` (the ${spec.target.role}${targets.length > 1 ? 's' : ''})` : '';
  const ofService = `${targets.length} of ${replicas} ${spec.target.service} pod${plural(replicas)} (${who})${role}`;
  switch (f.type) {
    case 'pod-kill': {
      const when = spec.repeat ? `every ${formatDuration(spec.repeat.interval)} for ${d}` : 'once';
      return `kill ${ofService}, ${when}; the platform restarts ${targets.length === 1 ? 'it' : 'them'}`;
    }
    case 'pod-pause':
      return `pause the app process of ${ofService} for ${d} (SIGSTOP, then SIGCONT), via the agent`;
    case 'latency': {
      const jitter = f.jitterMs > 0 ? ` ± ${f.jitterMs} ms` : '';
      return `add ${f.latencyMs} ms${jitter} latency to ${link ?? '?'} traffic of ${who} for ${d}, ${directionWords(f.direction)}, via the agent`;
    }
    case 'bandwidth':
      return `limit ${link ?? '?'} traffic of ${who} to ${rateWords(f.bytesPerSec)} for ${d}, ${directionWords(f.direction)}, via the agent`;
    case 'partition': {
      const from = link ? `from ${link}` : 'from everything (every link)';
      const effect =
        f.mode === 'hard'
          ? 'new and established connections go silent'
          : `new connections ${f.newConnections === 'hang' ? 'hang' : 'are refused'}, established ones keep working`;
      const via = f.mechanism === 'networkpolicy' ? 'via a NetworkPolicy' : 'via the agent';
      return `${f.mode}-partition ${who} ${from} for ${d} (${effect}), ${via}`;
    }
    case 'http-fault': {
      const methods = f.methods ? `${f.methods.join('/')} ` : '';
      const reqs = `${f.percent}% of ${methods}requests under ${f.routePrefix} through the ${link ?? '?'} link of ${who}`;
      const status = `HTTP ${f.abortStatus ?? ''}`;
      const what =
        f.delayMs === undefined
          ? `answer ${reqs} with ${status}`
          : `delay ${reqs} by ${f.delayMs} ms${f.abortStatus !== undefined ? ` and answer them with ${status}` : ''}`;
      return `${what}, for ${d}, via the agent`;
    }
  }
}

function names(pods: readonly CandidatePod[]): string {
  return pods.length === 0 ? 'no pods' : pods.map((p) => p.name).join(', ');
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

function modeWords(mode: Experiment['spec']['target']['mode']): string {
  if (typeof mode === 'string') return mode;
  return 'fixed' in mode ? `fixed ${mode.fixed}` : `${mode.percent}%`;
}

function directionWords(d: 'upstream' | 'downstream' | 'both'): string {
  if (d === 'both') return 'both directions';
  return d === 'upstream' ? 'requests only (upstream)' : 'responses only (downstream)';
}

function rateWords(bytesPerSec: number): string {
  if (bytesPerSec >= 1_000_000) return `${+(bytesPerSec / 1_000_000).toFixed(2)} MB/s`;
  if (bytesPerSec >= 1_000) return `${+(bytesPerSec / 1_000).toFixed(2)} kB/s`;
  return `${bytesPerSec} B/s`;
}
