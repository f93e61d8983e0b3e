/**
 * A service-level objective as the rest of faultline uses it: the rule generator, the game-day
 * verdict and the k6 thresholds all read this shape, never the YAML (see load.ts for the file
 * format and README.md for its documentation).
 */

/** One route of a service, as its RED histogram labels it (`http_request_method`, `http_route`). */
export interface RouteRef {
  /** HTTP method, upper case (`GET`, `POST`). */
  method: string;
  /** Route template exactly as the service labels it, e.g. `/seats/:seatId`. */
  route: string;
}

/**
 * How good and total events are counted.
 * - `availability`: requests to `routes` of scrape job `job`; good = status < 500.
 * - `latency`: the same requests; good = duration <= `thresholdSeconds`, which must be a bucket
 *   bound of `http_server_request_duration_seconds` (the histogram answers only at its bounds).
 * - `ratio`: any two PromQL expressions; the literal `$window` stands for the range.
 */
export type SliSpec =
  | { kind: 'availability'; job: string; routes: RouteRef[] }
  | { kind: 'latency'; job: string; routes: RouteRef[]; thresholdSeconds: number }
  | { kind: 'ratio'; errorQuery: string; totalQuery: string };

/** One SLO, from one `slos/*.yaml` file. */
export interface Slo {
  /** SLO name within its service (`availability`); with the service it forms `sloth_id`. */
  name: string;
  /** The service the objective is about (`booking`); becomes the `sloth_service` label. */
  service: string;
  description: string;
  /** Share of good events promised, in (0, 1), e.g. 0.995. */
  objective: number;
  /** Budget period as a Prometheus duration, e.g. `30d` (rolling). */
  window: string;
  sli: SliSpec;
  /** The file it was loaded from (absolute). */
  file: string;
}

/** `<service>-<name>`: the `sloth_id` label and the generated file's base name. */
export function sloId(slo: Pick<Slo, 'service' | 'name'>): string {
  return `${slo.service}-${slo.name}`;
}

/** The error budget, 1 − objective, without binary-float noise (0.995 → 0.005, not 0.0050000000000000044). */
export function errorBudget(slo: Pick<Slo, 'objective'>): number {
  return Number((1 - slo.objective).toPrecision(12));
}
