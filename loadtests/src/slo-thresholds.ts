/**
 * k6 thresholds from the SLOs (one source of truth). A request whose route an SLO covers is
 * tagged `slo_<service>_<name>: "true"`, and each SLO becomes thresholds on that tag:
 * - availability: `http_req_failed` rate ≤ error budget (whole run), and ≤ fast-burn factor ×
 *   budget with `abortOnFail` — the load-test twin of the fast-burn page;
 * - latency: p(objective) of `http_req_duration` ≤ the SLO's threshold (a share of at most
 *   1 − objective is slower), and the fast-burn twin p(100 − factor × budget) with `abortOnFail`.
 * An SLO route covers an operation with the same method and the same route, or a prefix route
 * ending in `/` (the gateway labels requests with its upstream's prefix, `/` for booking).
 * Ratio SLOs are arbitrary PromQL: no runner can compute them, the game day judges them.
 */
import { errorBudget, sloId, type Slo } from '@faultline/slos/slo';
import { WINDOW_SETS } from '@faultline/slos/windows';
import type { Operation } from './operations.js';

/** k6's threshold forms: an expression, or one that aborts the run when it fails. */
export type Threshold =
  string | { threshold: string; abortOnFail: boolean; delayAbortEval: string };

/** The SLO fields thresholds need. */
export type SloForThresholds = Pick<Slo, 'name' | 'service' | 'objective' | 'sli'>;

/** The standard set's highest page factor (14.4: 2 % of a 30-day budget in one hour). */
export const FAST_BURN_FACTOR = Math.max(
  ...WINDOW_SETS.filter((s) => s.name === 'standard')
    .flatMap((s) => s.windows)
    .filter((w) => w.severity === 'page')
    .map((w) => w.factor),
);

/** Abort checks start after this much of the run, so the first few requests cannot abort it. */
export const DELAY_ABORT_EVAL = '10s';

export interface SloTagging {
  /** Tags to add to a request of this operation. */
  tagsFor(op: Pick<Operation, 'method' | 'route'>): Record<string, string>;
  thresholds: Record<string, Threshold[]>;
  /** Why an SLO gave no threshold, in words. */
  notes: string[];
}

const num = (n: number) => Number(n.toPrecision(10));

/** Tags and thresholds for the SLOs whose routes appear among `ops`. */
export function sloTagging(
  slos: readonly SloForThresholds[],
  ops: readonly Operation[],
): SloTagging {
  const tags = new Map<string, Record<string, string>>();
  const key = (o: Pick<Operation, 'method' | 'route'>) => `${o.method} ${o.route}`;
  const thresholds: Record<string, Threshold[]> = {};
  const notes: string[] = [];
  for (const slo of [...slos].sort((a, b) => sloId(a).localeCompare(sloId(b)))) {
    const id = sloId(slo);
    if (slo.sli.kind === 'ratio') {
      notes.push(
        `${id}: a ratio SLO (PromQL); judged from Prometheus by the game day, not by a load runner`,
      );
      continue;
    }
    const tag = sloTag(id);
    const routes = slo.sli.routes;
    const covered = ops.filter((o) => routes.some((r) => covers(r, o)));
    for (const o of covered) tags.set(key(o), { ...tags.get(key(o)), [tag]: 'true' });
    if (covered.length === 0) {
      notes.push(`${id}: none of its routes is in this journey`);
      continue;
    }
    const budget = errorBudget(slo);
    const fast = num(FAST_BURN_FACTOR * budget);
    if (slo.sli.kind === 'availability') {
      thresholds[`http_req_failed{${tag}:true}`] = [
        `rate<=${num(budget)}`,
        ...(fast < 1 ? [abort(`rate<=${fast}`)] : []),
      ];
    } else {
      const ms = num(slo.sli.thresholdSeconds * 1000);
      thresholds[`http_req_duration{${tag}:true}`] = [
        `p(${num(slo.objective * 100)})<=${ms}`,
        ...(fast < 1 ? [abort(`p(${num(100 - fast * 100)})<=${ms}`)] : []),
      ];
    }
  }
  return { tagsFor: (o) => ({ ...(tags.get(key(o)) ?? {}) }), thresholds, notes };
}

/** The tag marking requests an SLO measures: `slo_booking_availability`. */
export function sloTag(id: string): string {
  return `slo_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
}

function covers(
  r: { method: string; route: string },
  o: Pick<Operation, 'method' | 'route'>,
): boolean {
  if (r.method.toUpperCase() !== o.method) return false;
  return r.route === o.route || (r.route.endsWith('/') && o.route.startsWith(r.route));
}

function abort(threshold: string): Threshold {
  return { threshold, abortOnFail: true, delayAbortEval: DELAY_ABORT_EVAL };
}
