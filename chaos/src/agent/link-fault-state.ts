/**
 * What a link's active faults mean for its connections, folded into one small object the
 * forwarding code reads per burst. Recomputed whenever a fault on the link comes or goes.
 */
import type { AppliedFault, Direction } from './fault-spec.js';
import type { Random as Rng } from '@faultline/kit/seeded-random';

/** One of the two ways bytes travel: client → target (`upstream`) or back (`downstream`). */
export type Flow = 'upstream' | 'downstream';

export interface LinkFaultState {
  latency?: { ms: number; jitterMs: number; direction: Direction; rng: Rng };
  bandwidth?: { bytesPerSec: number; direction: Direction };
  /** Established connections hold their bytes; new ones are accepted and never served. */
  hardPartition: boolean;
  /** New connections are reset (`refuse`) or left hanging (`hang`); established ones untouched. */
  softPartition?: 'refuse' | 'hang';
  /** Every connection is reset, new ones at once. */
  reset: boolean;
  http?: {
    faultId: string;
    experiment: string;
    routePrefix: string;
    methods?: ReadonlySet<string>;
    percent: number;
    abortStatus?: number;
    delayMs?: number;
    rng: Rng;
  };
  /**
   * On http links: the experiment of the faults acting here, added to every request's W3C
   * baggage (`faultline.experiment`) so the app's server spans carry it.
   */
  experiment?: string;
}

/** A link fault together with the runtime state it needs (its RNG keeps its sequence). */
export interface LinkFault {
  readonly record: AppliedFault;
  readonly rng: Rng;
}

/** What a fault applied without an experiment id reports as its experiment. */
export const NO_EXPERIMENT = 'none';

export const NO_FAULTS: LinkFaultState = Object.freeze({ hardPartition: false, reset: false });

export function affects(direction: Direction, flow: Flow): boolean {
  return direction === 'both' || direction === flow;
}

/**
 * Whether established connections must leave the plain `pipe` path: only faults that act on
 * bytes in flight need per-chunk work (soft partition and reset act on connections).
 */
export function needsFaultPath(s: LinkFaultState): boolean {
  return (
    s.hardPartition ||
    s.latency !== undefined ||
    s.bandwidth !== undefined ||
    !!s.http ||
    s.experiment !== undefined
  );
}

/**
 * Folds the active faults of one link (at most one per type) into a state. On an `http` link a
 * fault of any type that belongs to an experiment marks requests with it; when faults of several
 * experiments act on one link, the most recently applied one's.
 */
export function deriveState(
  faults: Iterable<LinkFault>,
  protocol: 'tcp' | 'http' = 'tcp',
  /** Faults of the pod's other links (see ProxyLink.markExperiment): they mark, nothing more. */
  marks: Iterable<AppliedFault> = [],
): LinkFaultState {
  const s: LinkFaultState = { hardPartition: false, reset: false };
  let experimentAppliedAt = '';
  const mark = (record: AppliedFault) => {
    if (protocol !== 'http' || record.experiment === NO_EXPERIMENT) return;
    if (record.appliedAt >= experimentAppliedAt) {
      s.experiment = record.experiment;
      experimentAppliedAt = record.appliedAt;
    }
  };
  for (const record of marks) mark(record);
  for (const { record, rng } of faults) {
    mark(record);
    const p = record.params;
    switch (record.type) {
      case 'latency':
        s.latency = {
          ms: p.ms as number,
          jitterMs: p.jitterMs as number,
          direction: p.direction as Direction,
          rng,
        };
        break;
      case 'bandwidth':
        s.bandwidth = { bytesPerSec: p.bytesPerSec as number, direction: p.direction as Direction };
        break;
      case 'partition-hard':
        s.hardPartition = true;
        break;
      case 'partition-soft':
        s.softPartition = p.newConnections as 'refuse' | 'hang';
        break;
      case 'reset':
        s.reset = true;
        break;
      case 'http-fault': {
        const methods = p.methods as string[] | undefined;
        s.http = {
          faultId: record.id,
          experiment: record.experiment,
          routePrefix: p.routePrefix as string,
          ...(methods ? { methods: new Set(methods) } : {}),
          percent: p.percent as number,
          ...(p.abortStatus !== undefined ? { abortStatus: p.abortStatus as number } : {}),
          ...(p.delayMs !== undefined ? { delayMs: p.delayMs as number } : {}),
          rng,
        };
        break;
      }
      default:
        break;
    }
  }
  return s;
}
