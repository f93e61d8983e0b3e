/**
 * The load-balancing algorithms behind one interface. A picker sees only the candidates the
 * pool considers eligible right now (healthy, not ejected, not draining), so every algorithm
 * gets the same health view for free.
 */

/** What a picker may look at: identity, static weight and live load. */
export interface Candidate {
  /** Stable identity, `host:port`. */
  readonly id: string;
  /** Relative capacity, >= 1. */
  readonly weight: number;
  /** Requests (L7) or connections (L4) currently in flight. */
  readonly inFlight: number;
}

export interface PickContext<C extends Candidate = Candidate> {
  /** Hash key for ring hash (header, cookie or client address); absent = any backend. */
  readonly hashKey?: string | undefined;
  /** Backends already tried for this request: a retry goes somewhere else. */
  readonly exclude?: ReadonlySet<C> | undefined;
}

/** Names of the L7 algorithms, as used in config and the admin API. */
export const PICKER_NAMES = [
  'round-robin',
  'weighted-round-robin',
  'least-request',
  'power-of-two',
  'ring-hash',
  'random',
] as const;
export type PickerName = (typeof PICKER_NAMES)[number];

export interface Picker {
  readonly name: PickerName;
  /** One of `candidates` (never an excluded one), or undefined when none is left. */
  pick<C extends Candidate>(candidates: readonly C[], ctx?: PickContext<C>): C | undefined;
}

/** A source of uniform numbers in [0, 1); injected so tests are deterministic. */
export type { Random } from '@faultline/kit/seeded-random';

/** True when `c` may be picked under `ctx`. */
export function allowed<C extends Candidate>(c: C, ctx: PickContext<C> | undefined): boolean {
  return ctx?.exclude === undefined || !ctx.exclude.has(c);
}
