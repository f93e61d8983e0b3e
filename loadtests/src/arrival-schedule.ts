/**
 * When each request of an arrival-rate scenario is due, with k6's semantics: `rate` per
 * `timeUnit`; a ramping stage moves the rate linearly from the previous stage's target to its
 * own over its duration. The i-th arrival is due when the integral of the rate reaches i, so the
 * schedule is exact (no drift from summing intervals) and depends on nothing but the scenario.
 */

/** A piecewise-linear rate, per millisecond, over consecutive segments. */
export interface RateSegment {
  durationMs: number;
  /** Requests per ms at the start and end of the segment. */
  fromPerMs: number;
  toPerMs: number;
}

export interface ArrivalSchedule {
  /** Total length in ms. */
  readonly durationMs: number;
  /** Expected arrivals over the whole schedule (the integral of the rate). */
  readonly total: number;
  /** Offset in ms (from the start) at which arrival number `i` (0-based) is due; undefined past the end. */
  dueAt(i: number): number | undefined;
}

export function arrivalSchedule(segments: readonly RateSegment[]): ArrivalSchedule {
  const starts: { at: number; count: number; seg: RateSegment }[] = [];
  let at = 0;
  let count = 0;
  for (const seg of segments) {
    starts.push({ at, count, seg });
    at += seg.durationMs;
    count += ((seg.fromPerMs + seg.toPerMs) / 2) * seg.durationMs;
  }
  const total = Math.floor(count + 1e-9);
  let cursor = 0;
  return {
    durationMs: at,
    total,
    dueAt(i) {
      if (i >= total) return undefined;
      // Arrival i is due when the cumulative count reaches i (the first one at t = 0).
      if (starts[cursor] && starts[cursor]!.count > i) cursor = 0;
      while (cursor + 1 < starts.length && starts[cursor + 1]!.count <= i) cursor++;
      const s = starts[cursor]!;
      const need = i - s.count;
      const { fromPerMs: a, toPerMs: b, durationMs: d } = s.seg;
      const slope = (b - a) / d;
      // need = a t + slope t² / 2, solved for t ≥ 0.
      const t =
        Math.abs(slope) < 1e-15
          ? need / a
          : (-a + Math.sqrt(Math.max(0, a * a + 2 * slope * need))) / slope;
      return s.at + Math.min(Math.max(0, t), d);
    },
  };
}

/** Segments of a constant rate. */
export function constantRate(
  perTimeUnit: number,
  timeUnitMs: number,
  durationMs: number,
): RateSegment[] {
  const r = perTimeUnit / timeUnitMs;
  return [{ durationMs, fromPerMs: r, toPerMs: r }];
}

/** Segments of k6's ramping-arrival-rate stages. */
export function rampingRate(
  startPerTimeUnit: number,
  timeUnitMs: number,
  stages: readonly { target: number; durationMs: number }[],
): RateSegment[] {
  let from = startPerTimeUnit / timeUnitMs;
  return stages.map((s) => {
    const to = s.target / timeUnitMs;
    const seg = { durationMs: s.durationMs, fromPerMs: from, toPerMs: to };
    from = to;
    return seg;
  });
}
