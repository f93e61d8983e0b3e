import { hash32 } from './hash.js';
import { allowed, type Candidate, type PickContext, type Picker, type Random } from './picker.js';

export interface RingHashOptions {
  /** Points on the ring per unit of weight. More = smoother spread, bigger ring. Default 160. */
  virtualNodes?: number;
  /** For requests without a hash key. */
  random?: Random;
}

interface Ring {
  /** Signature of the candidate set the ring was built for. */
  signature: string;
  /** Sorted hashes of the points. */
  points: Uint32Array;
  /** Index into the candidate list, per point. */
  owners: Uint32Array;
}

/**
 * Consistent hashing with virtual nodes (ketama-style). A key maps to the first point at or
 * after its hash, clockwise. Adding one backend to N moves only about K/(N+1) of K keys, all
 * of them to the new backend; keys never move while the set is unchanged.
 */
export class RingHashPicker implements Picker {
  readonly name = 'ring-hash';
  readonly #virtualNodes: number;
  readonly #random: Random;
  #ring: Ring | undefined;
  #ringFor: readonly Candidate[] | undefined;

  constructor(opts: RingHashOptions = {}) {
    this.#virtualNodes = opts.virtualNodes ?? 160;
    this.#random = opts.random ?? Math.random;
  }

  pick<C extends Candidate>(candidates: readonly C[], ctx?: PickContext<C>): C | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    if (ctx?.hashKey === undefined) {
      const pool = ctx?.exclude?.size ? candidates.filter((c) => allowed(c, ctx)) : candidates;
      return pool[Math.floor(this.#random() * pool.length)];
    }
    const ring = this.#ringOf(candidates);
    const { points, owners } = ring;
    const h = hash32(ctx.hashKey);
    // Binary search: first point >= h (wrapping to 0).
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    // Walk clockwise past excluded backends (a retry goes to the next owner on the ring).
    for (let step = 0; step < points.length; step++) {
      const c = candidates[owners[(lo + step) % points.length]!]!;
      if (allowed(c, ctx)) return c;
    }
    return undefined;
  }

  /** The owner of `key` among `candidates` (for tests and the admin view). */
  ownerOf<C extends Candidate>(candidates: readonly C[], key: string): C | undefined {
    return this.pick(candidates, { hashKey: key });
  }

  #ringOf(candidates: readonly Candidate[]): Ring {
    if (this.#ring && this.#ringFor === candidates) return this.#ring;
    const signature = candidates.map((c) => `${c.id}*${c.weight}`).join(',');
    if (this.#ring?.signature !== signature)
      this.#ring = buildRing(candidates, this.#virtualNodes, signature);
    this.#ringFor = candidates;
    return this.#ring;
  }
}

function buildRing(
  candidates: readonly Candidate[],
  virtualNodes: number,
  signature: string,
): Ring {
  const entries: [number, number][] = [];
  candidates.forEach((c, index) => {
    const count = Math.max(1, Math.round(virtualNodes * c.weight));
    // Points depend only on the backend's id, never on its position: that is what keeps
    // keys in place when other backends come and go.
    for (let v = 0; v < count; v++) entries.push([hash32(`${c.id}#${v}`), index]);
  });
  entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return {
    signature,
    points: Uint32Array.from(entries, (e) => e[0]),
    owners: Uint32Array.from(entries, (e) => e[1]),
  };
}
